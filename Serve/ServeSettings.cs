using WaveFlow.Core;

namespace WaveFlow.Serve;

/// <summary>
/// What <c>waveflow serve</c> was asked for. The defaults keep one request's work and the
/// server's memory bounded: at most <see cref="MaxQueue"/> requests admitted at once, each asking
/// for at most <see cref="MaxSeconds"/> of audio.
/// </summary>
internal sealed record ServeSettings
{
    /// <summary>Mel frames per chunk when <see cref="ChunkFrames"/> is not given: about 1.5 s of audio at 22,050 Hz, hop 256.</summary>
    public const int MinAutoChunkFrames = 128;

    /// <summary>
    /// With the automatic chunk length a chunk is at least this many times its context on each
    /// side, so the recomputed context costs at most 2/4 = 50 % more work (NVIDIA's model: 99
    /// frames of context, chunks of 396 frames; the shipped small model: 7 frames, chunks of 128).
    /// </summary>
    public const int AutoChunkPerContext = 4;

    /// <summary>The models to serve, loaded once at start, in order (the first is the default).</summary>
    public required IReadOnlyList<ModelSpec> Models { get; init; }

    /// <summary>NVIDIA config.json for checkpoints that carry no configuration (every model).</summary>
    public string? ConfigPath { get; init; }

    /// <summary>Address to listen on: loopback unless asked otherwise.</summary>
    public string Host { get; init; } = "127.0.0.1";

    /// <summary>TCP port (0: any free port, reported on start).</summary>
    public int Port { get; init; } = 8080;

    /// <summary>Chunks of different requests that may share one forward pass (1 = no batching).</summary>
    public int MaxBatch { get; init; } = 8;

    /// <summary>Requests admitted at once (being synthesised or waiting); beyond them 503 with Retry-After.</summary>
    public int MaxQueue { get; init; } = 32;

    /// <summary>The most audio one request may ask for, in seconds (its mel's frames × hop / sample rate).</summary>
    public double MaxSeconds { get; init; } = 60;

    /// <summary>Mel frames per chunk (the streaming piece and the batching unit); null: automatic (see <see cref="MinAutoChunkFrames"/>).</summary>
    public int? ChunkFrames { get; init; }

    /// <summary>How long a stop waits for requests in flight before cancelling them.</summary>
    public double ShutdownSeconds { get; init; } = 10;

    /// <summary>The API key requests must present, when one is set (read from --api-key-file).</summary>
    public string? ApiKey { get; init; }

    /// <summary>Throws a <see cref="WaveFlowException"/> naming the first setting out of range.</summary>
    public void Validate()
    {
        if (Models.Count == 0) throw new WaveFlowException("--checkpoint: at least one model is needed");
        var twice = Models.GroupBy(m => m.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (twice is not null) throw new WaveFlowException($"--checkpoint: the model name '{twice.Key}' is given twice; name them NAME=CK");
        if (Port is < 0 or > 65535) throw new WaveFlowException($"--port {Port}: must lie in 0..65535");
        if (MaxBatch < 1) throw new WaveFlowException($"--max-batch {MaxBatch}: must be at least 1");
        if (MaxQueue < 1) throw new WaveFlowException($"--max-queue {MaxQueue}: must be at least 1");
        if (!double.IsFinite(MaxSeconds) || MaxSeconds <= 0) throw new WaveFlowException($"--max-seconds {MaxSeconds}: must be positive");
        if (ChunkFrames is < 1) throw new WaveFlowException($"--chunk {ChunkFrames}: must be at least 1 frame");
        if (!double.IsFinite(ShutdownSeconds) || ShutdownSeconds < 0) throw new WaveFlowException($"--shutdown-seconds {ShutdownSeconds}: must be ≥ 0");
    }

    /// <summary>Reads an API key file: its first line, trimmed; the file must hold a non-empty key.</summary>
    public static string ReadApiKey(string path)
    {
        if (!File.Exists(path)) throw WaveFlowException.ForFile(path, "file not found");
        var key = File.ReadLines(path).FirstOrDefault()?.Trim() ?? "";
        if (key.Length == 0) throw WaveFlowException.ForFile(path, "holds no API key (the first line is empty)");
        return key;
    }
}
