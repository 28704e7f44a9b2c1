using WaveFlow.Vocoder;
using WaveFlow.Vocoder.Synthesis;

namespace WaveFlow.Serve;

/// <summary>
/// A model the server offers: its name, the loaded vocoder (weight norm and conditioning folded
/// once), its chunk length, the most frames one request may send, and its batcher.
/// </summary>
internal sealed class ServedModel : IDisposable
{
    public ServedModel(string name, string checkpointPath, WaveFlowVocoder vocoder, ServeSettings settings, ServeMetrics metrics)
    {
        Name = name;
        CheckpointFile = Path.GetFileName(checkpointPath);
        Vocoder = vocoder;
        ContextFrames = ReceptiveField.ContextFrames(vocoder.Loaded.Options, vocoder.MelSettings);
        ChunkFrames = settings.ChunkFrames ?? Math.Max(ServeSettings.MinAutoChunkFrames, ServeSettings.AutoChunkPerContext * ContextFrames);
        MaxFrames = (long)Math.Floor(settings.MaxSeconds * vocoder.SampleRate / vocoder.HopLength);
        Batcher = new ChunkBatcher(this, settings.MaxBatch, metrics);
    }

    public string Name { get; }

    /// <summary>The checkpoint's file name (never its path: clients learn nothing of the server's folders).</summary>
    public string CheckpointFile { get; }

    public WaveFlowVocoder Vocoder { get; }

    /// <summary>Mel frames of context each side that make chunked synthesis exact.</summary>
    public int ContextFrames { get; }

    /// <summary>Mel frames per chunk: the streaming piece and the batching unit.</summary>
    public int ChunkFrames { get; }

    /// <summary>The most mel frames one request may send (--max-seconds).</summary>
    public long MaxFrames { get; }

    public ChunkBatcher Batcher { get; }

    /// <summary>Stops the batcher (cancelling what is left), then frees the model.</summary>
    public void Dispose()
    {
        Batcher.Dispose();
        Vocoder.Dispose();
    }
}
