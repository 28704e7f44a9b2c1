using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using WaveFlow.Serialization;

namespace WaveFlow.Training;

/// <summary>
/// Everything besides the weights that a resumed run needs to continue exactly where it
/// stopped. RNG: all training randomness is drawn from streams derived from (seed, purpose,
/// position) (see <see cref="SeededStream"/>), so the seed and the iteration ARE the RNG state;
/// the weights were initialised from the seed once and then live in the checkpoint.
/// </summary>
public sealed record TrainerState
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

    public const string FormatName = "waveflow-trainer-state";
    private static ReadOnlySpan<byte> Magic => "WFSTATE1"u8;

    /// <summary>
    /// Writes the state atomically: magic, JSON header (u32 length + UTF-8), then the optimizer's
    /// own serialization (TorchSharp's <c>save_state_dict</c>: Adam's step count, exp_avg and
    /// exp_avg_sq per parameter, in the order of model.parameters()).
    /// </summary>
    public void Save(string path, Action<BinaryWriter> writeOptimizer)
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(this with { SavedUtc = DateTime.UtcNow.ToString("O") });
        AtomicFile.Write(path, stream =>
        {
            using var w = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
            w.Write(Magic);
            w.Write((uint)json.Length);
            w.Write(json);
            writeOptimizer(w);
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
            state = JsonSerializer.Deserialize<TrainerState>(r.ReadBytes((int)length))
                ?? throw WaveFlowException.ForFile(path, "empty header");
        }
        catch (Exception e) when (e is EndOfStreamException or JsonException)
        {
            throw WaveFlowException.ForFile(path, $"corrupt trainer state: {e.Message.Split('\n')[0]}", e);
        }
        if (state.Format != FormatName || state.Version != 1)
            throw WaveFlowException.ForFile(path, $"unsupported trainer state {state.Format} v{state.Version}");
        try
        {
            readOptimizer?.Invoke(r);
        }
        catch (Exception e) when (e is EndOfStreamException or ArgumentException or InvalidDataException)
        {
            throw WaveFlowException.ForFile(path, $"optimizer state does not fit this model: {e.Message.Split('\n')[0]}", e);
        }
        return state;
    }
}
