using System.Text.Json.Serialization;
using WaveFlow.Core;
using WaveFlow.Training.Loop;
using WaveFlow.Vocoder;

namespace WaveFlow.Training.Config;

/// <summary>
/// The <c>train_config</c> section. The first block is NVIDIA's train.py keys with the values of
/// their config.json as defaults; the second block is ours (validation, clipping, schedule,
/// guards, run-folder housekeeping). Iterations count optimizer steps attempted (batches consumed).
/// </summary>
internal sealed record TrainOptions
{
    // --- NVIDIA's keys ---------------------------------------------------------------------
    /// <summary>Run folder when --out is not given.</summary>
    [JsonPropertyName("output_directory")] public string OutputDirectory { get; init; } = "checkpoints";
    [JsonPropertyName("epochs")] public int Epochs { get; init; } = 100000;
    [JsonPropertyName("learning_rate")] public double LearningRate { get; init; } = 1e-4;
    /// <summary>Std of the Gaussian prior in the loss (NVIDIA trains with 1.0).</summary>
    [JsonPropertyName("sigma")] public double Sigma { get; init; } = 1.0;
    [JsonPropertyName("iters_per_checkpoint")] public int ItersPerCheckpoint { get; init; } = 2000;
    [JsonPropertyName("batch_size")] public int BatchSize { get; init; } = 12;
    [JsonPropertyName("seed")] public long Seed { get; init; } = 1234;
    /// <summary>NVIDIA's apex AMP switch: mixed-precision training when <c>precision</c> is not
    /// given, float16 with dynamic loss scaling on CUDA, bfloat16 on the CPU (which has no fast
    /// float16 kernels); see <see cref="TrainingPrecision"/>. On CUDA it also allows TF32.</summary>
    [JsonPropertyName("fp16_run")] public bool Fp16Run { get; init; }
    /// <summary>Warm start: initial weights from this checkpoint (any format the loader reads). Empty: none.</summary>
    [JsonPropertyName("checkpoint_path")] public string CheckpointPath { get; init; } = "";
    [JsonPropertyName("with_tensorboard")] public bool WithTensorboard { get; init; } = true;

    // --- ours ------------------------------------------------------------------------------
    /// <summary>fp32 | bf16 | fp16: what the model's products compute in (master weights, the
    /// log-determinants and the loss stay float32). Empty: from fp16_run.</summary>
    [JsonPropertyName("precision")] public string Precision { get; init; } = "";
    /// <summary>Clip the global gradient L2 norm to this value; 0 turns clipping off.</summary>
    [JsonPropertyName("grad_clip_thresh")] public double GradClipThresh { get; init; }
    /// <summary>constant | step | exponential | cosine (see <see cref="LearningRateSchedule"/>).</summary>
    [JsonPropertyName("lr_schedule")] public string LrSchedule { get; init; } = "constant";
    [JsonPropertyName("lr_warmup_iterations")] public int LrWarmupIterations { get; init; }
    [JsonPropertyName("lr_decay_iterations")] public int LrDecayIterations { get; init; } = 100000;
    [JsonPropertyName("lr_decay_gamma")] public double LrDecayGamma { get; init; } = 0.5;
    [JsonPropertyName("lr_min")] public double LrMin { get; init; }
    /// <summary>Stop after this many iterations (0: only epochs limit the run); --iterations overrides.</summary>
    [JsonPropertyName("max_iterations")] public long MaxIterations { get; init; }
    [JsonPropertyName("iters_per_validation")] public int ItersPerValidation { get; init; } = 1000;
    /// <summary>Clips held out for validation (NLL, resynthesis); chosen by the seeded split.</summary>
    [JsonPropertyName("validation_clips")] public int ValidationClips { get; init; } = 8;
    /// <summary>Clips held out as a test set that training and validation never touch.</summary>
    [JsonPropertyName("test_clips")] public int TestClips { get; init; } = 8;
    /// <summary>Validate on at most this many samples of each clip (0: the whole clip).</summary>
    [JsonPropertyName("validation_segment_length")] public int ValidationSegmentLength { get; init; }
    /// <summary>Log training scalars (loss, lr, gradient norm) every this many iterations.</summary>
    [JsonPropertyName("iters_per_log")] public int ItersPerLog { get; init; } = 10;
    /// <summary>Checkpoints kept besides the best one; older ones are deleted.</summary>
    [JsonPropertyName("keep_last")] public int KeepLast { get; init; } = 3;
    /// <summary>This many non-finite losses/gradients in a row roll back to the last checkpoint.</summary>
    [JsonPropertyName("max_nonfinite_in_row")] public int MaxNonfiniteInRow { get; init; } = 5;
    /// <summary>Batches prepared ahead of the training step by the background reader.</summary>
    [JsonPropertyName("prefetch_batches")] public int PrefetchBatches { get; init; } = 4;

    /// <summary>Throws a <see cref="WaveFlowException"/> naming <paramref name="source"/> and the key.</summary>
    public void Validate(string source)
    {
        void Fail(string key, string problem) => throw new WaveFlowException($"{source}: train_config.{key} {problem}");
        if (Epochs < 1) Fail("epochs", $"must be at least 1, got {Epochs}");
        if (!(LearningRate > 0) || !double.IsFinite(LearningRate)) Fail("learning_rate", $"must be positive, got {LearningRate}");
        if (!(Sigma > 0) || !double.IsFinite(Sigma)) Fail("sigma", $"must be positive, got {Sigma}");
        if (ItersPerCheckpoint < 1) Fail("iters_per_checkpoint", $"must be at least 1, got {ItersPerCheckpoint}");
        if (BatchSize < 1) Fail("batch_size", $"must be at least 1, got {BatchSize}");
        if (!(GradClipThresh >= 0) || double.IsInfinity(GradClipThresh)) Fail("grad_clip_thresh", $"must be ≥ 0 (0 = off), got {GradClipThresh}");
        if (!LearningRateSchedule.Kinds.Contains(LrSchedule))
            Fail("lr_schedule", $"must be one of {string.Join(", ", LearningRateSchedule.Kinds)}, got \"{LrSchedule}\"");
        if (LrWarmupIterations < 0) Fail("lr_warmup_iterations", $"must be ≥ 0, got {LrWarmupIterations}");
        if (LrDecayIterations < 1) Fail("lr_decay_iterations", $"must be at least 1, got {LrDecayIterations}");
        if (!(LrDecayGamma > 0 && LrDecayGamma <= 1)) Fail("lr_decay_gamma", $"must be in (0, 1], got {LrDecayGamma}");
        if (!(LrMin >= 0 && LrMin <= LearningRate)) Fail("lr_min", $"must be in [0, learning_rate], got {LrMin}");
        if (MaxIterations < 0) Fail("max_iterations", $"must be ≥ 0 (0 = no limit), got {MaxIterations}");
        if (ItersPerValidation < 1) Fail("iters_per_validation", $"must be at least 1, got {ItersPerValidation}");
        if (ValidationClips < 1) Fail("validation_clips", $"must be at least 1, got {ValidationClips}");
        if (TestClips < 0) Fail("test_clips", $"must be ≥ 0, got {TestClips}");
        if (ValidationSegmentLength < 0) Fail("validation_segment_length", $"must be ≥ 0 (0 = whole clips), got {ValidationSegmentLength}");
        if (ItersPerLog < 1) Fail("iters_per_log", $"must be at least 1, got {ItersPerLog}");
        if (KeepLast < 1) Fail("keep_last", $"must be at least 1, got {KeepLast}");
        if (MaxNonfiniteInRow < 1) Fail("max_nonfinite_in_row", $"must be at least 1, got {MaxNonfiniteInRow}");
        if (Precision is not ("" or "fp32" or "bf16" or "fp16"))
            Fail("precision", $"must be fp32, bf16 or fp16 (or absent: from fp16_run), got \"{Precision}\"");
        if (PrefetchBatches < 1) Fail("prefetch_batches", $"must be at least 1, got {PrefetchBatches}");
    }
}
