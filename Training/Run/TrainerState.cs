using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using WaveFlow.Core;
using WaveFlow.Core.IO;
using WaveFlow.Core.Json;
using WaveFlow.Training.Data;

namespace WaveFlow.Training.Run;

/// <summary>
/// Everything besides the weights that a resumed run needs to continue exactly where it
/// stopped. RNG: all training randomness is drawn from streams derived from (seed, purpose,
/// position) (see <see cref="SeededStream"/>), so the seed and the iteration ARE the RNG state;
/// the weights were initialised from the seed once and then live in the checkpoint.
/// </summary>
internal sealed record TrainerState
{
    [JsonPropertyName("format")] public string Format { get; init; } = FormatName;
    [JsonPropertyName("version")] public int Version { get; init; } = 1;
    /// <summary>Iterations done (= batches consumed); the next batch is that of this iteration.</summary>
    [JsonPropertyName("iteration")] public long Iteration { get; init; }
    [JsonPropertyName("epoch")] public long Epoch { get; init; }
    [JsonPropertyName("seed")] public long Seed { get; init; }
    [JsonPropertyName("batches_per_epoch")] public int BatchesPerEpoch { get; init; }
    /// <summary>Processes that trained the run (the global batch is world_size × batch_size);
    /// states written before multi-process training existed read as 1.</summary>
    [JsonPropertyName("world_size")] public int WorldSize { get; init; } = 1;
    [JsonPropertyName("optimizer_steps")] public long OptimizerSteps { get; init; }
    [JsonPropertyName("skipped_nonfinite")] public long SkippedNonfinite { get; init; }
    [JsonPropertyName("nonfinite_in_row")] public int NonfiniteInRow { get; init; }
    [JsonPropertyName("rollbacks")] public int Rollbacks { get; init; }
    [JsonPropertyName("best_validation_nll")] public double? BestValidationNll { get; init; }
    [JsonPropertyName("best_iteration")] public long? BestIteration { get; init; }
    [JsonPropertyName("learning_rate")] public double LearningRate { get; init; }
    /// <summary>fp16 training's dynamic loss scale (null for fp32 and bf16 runs).</summary>
    [JsonPropertyName("loss_scale")] public double? LossScale { get; init; }
    [JsonPropertyName("elapsed_seconds")] public double ElapsedSeconds { get; init; }
    [JsonPropertyName("saved_utc")] public string SavedUtc { get; init; } = "";
    /// <summary>True when the optimizer section is followed by its length and SHA-256 (files written
    /// since this field exists); older files load without the check.</summary>
    [JsonPropertyName("optimizer_checksum")] public bool OptimizerChecksum { get; init; }

    /// <summary>The trailer after the optimizer section: its length (8 bytes) and SHA-256 (32 bytes).</summary>
    private const int TrailerBytes = 8 + 32;

    public const string FormatName = "waveflow-trainer-state";
    private static ReadOnlySpan<byte> Magic => "WFSTATE1"u8;

    /// <summary>
    /// Writes the state atomically: magic, JSON header (u32 length + UTF-8), then the optimizer's
    /// own serialization (TorchSharp's <c>save_state_dict</c>: Adam's step count, exp_avg and
    /// exp_avg_sq per parameter, in the order of model.parameters()).
    /// </summary>
    public void Save(string path, Action<BinaryWriter> writeOptimizer)
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(this with { SavedUtc = DateTime.UtcNow.ToString("O"), OptimizerChecksum = true });
        AtomicFile.Write(path, stream =>
        {
            using var w = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
            w.Write(Magic);
            w.Write((uint)json.Length);
            w.Write(json);
            w.Flush();
            // The optimizer section is TorchSharp's own format, which trusts its input (a damaged
            // shape there is handed to libtorch as is); its checksum lets Load refuse damage first.
            using var hashing = new HashingStream(stream);
            using (var ow = new BinaryWriter(hashing, Encoding.UTF8, leaveOpen: true)) writeOptimizer(ow);
            w.Write(hashing.Length);
            w.Write(hashing.Hash());
            w.Flush();
        });
    }

    /// <summary>Reads the header and hands the optimizer part to <paramref name="readOptimizer"/> (may be null).</summary>
    public static TrainerState Load(string path, Action<BinaryReader>? readOptimizer)
    {
        using var stream = File.OpenRead(path);
        using var r = new BinaryReader(stream, Encoding.UTF8);
        TrainerState state;
        try
        {
            if (!r.ReadBytes(8).AsSpan().SequenceEqual(Magic))
                throw WaveFlowException.ForFile(path, "not a WaveFlow trainer state (bad magic)");
            uint length = r.ReadUInt32();
            if (length > stream.Length) throw WaveFlowException.ForFile(path, "truncated header");
            state = StrictJson.Parse<TrainerState>(r.ReadBytes((int)length), path, "header");
        }
        catch (EndOfStreamException e)
        {
            throw WaveFlowException.ForFile(path, $"corrupt trainer state: {e.Message.Split('\n')[0]}", e);
        }
        if (state.Format != FormatName || state.Version != 1)
            throw WaveFlowException.ForFile(path, $"unsupported trainer state {state.Format} v{state.Version}");
        if (state.OptimizerChecksum) VerifyOptimizerSection(stream, path);
        try
        {
            readOptimizer?.Invoke(r);
        }
        catch (Exception e) when (e is EndOfStreamException or ArgumentException or InvalidDataException)
        {
            throw WaveFlowException.ForFile(path, $"optimizer state does not fit this model: {e.Message.Split('\n')[0]}", e);
        }
        catch (Exception e) when (e is System.Runtime.InteropServices.ExternalException or NotImplementedException or IOException or OverflowException or InvalidOperationException)
        {
            // Files without a checksum (written before it existed) reach TorchSharp unchecked; libtorch's complaints end here.
            throw WaveFlowException.ForFile(path, $"optimizer state is damaged: {e.Message.Split('\n')[0]}", e);
        }
        return state;
    }

    /// <summary>Checks the optimizer section's length and SHA-256 against the trailer; leaves the stream at the section's start.</summary>
    private static void VerifyOptimizerSection(Stream stream, string path)
    {
        long start = stream.Position, end = stream.Length - TrailerBytes;
        if (end < start) throw WaveFlowException.ForFile(path, "truncated: the optimizer state's checksum is missing");
        var trailer = new byte[TrailerBytes];
        stream.Position = end;
        stream.ReadExactly(trailer);
        if (BitConverter.ToInt64(trailer) != end - start)
            throw WaveFlowException.ForFile(path, $"truncated or damaged: the optimizer state should be {BitConverter.ToInt64(trailer)} bytes, the file holds {end - start}");
        stream.Position = start;
        using var sha = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        var buffer = new byte[1 << 16];
        for (long left = end - start; left > 0;)
        {
            int n = stream.Read(buffer, 0, (int)Math.Min(buffer.Length, left));
            if (n == 0) throw new EndOfStreamException();
            sha.AppendData(buffer, 0, n);
            left -= n;
        }
        if (!sha.GetHashAndReset().AsSpan().SequenceEqual(trailer.AsSpan(8)))
            throw WaveFlowException.ForFile(path, "damaged: the optimizer state does not match its checksum");
        stream.Position = start;
    }

    /// <summary>A write-only pass-through that hashes (SHA-256) and counts what goes through it.</summary>
    private sealed class HashingStream(Stream inner) : Stream
    {
        private readonly System.Security.Cryptography.IncrementalHash _sha =
            System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        private long _length;

        public byte[] Hash() => _sha.GetHashAndReset();
        public override long Length => _length;
        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));
        public override void Write(ReadOnlySpan<byte> buffer)
        {
            inner.Write(buffer);
            _sha.AppendData(buffer);
            _length += buffer.Length;
        }
        public override void Flush() => inner.Flush();
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Position { get => _length; set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        protected override void Dispose(bool disposing)
        {
            if (disposing) _sha.Dispose();
            base.Dispose(disposing);
        }
    }
}
