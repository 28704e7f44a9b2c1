using WaveFlow.Training.Run;

namespace WaveFlow.Training.Loop;

/// <summary>What a run is about to do, reported once before the first step.</summary>
internal sealed record TrainingPlan(
    string RunFolder, string Device, bool Resumed, long StartIteration, long EndIteration,
    int TrainClips, int ValidationClips, int TestClips, int BatchesPerEpoch, long Parameters);

/// <summary>One finished iteration. <c>Iteration</c> counts iterations done, this one included.
/// <c>AllReduceShare</c>: the share of the step's time spent in the gradient all-reduce (smoothed;
/// 0 for a single process), <c>WorldSize</c>: processes in the job.</summary>
internal sealed record StepReport(
    long Iteration, long EndIteration, long Epoch, double Loss, double GradNorm, double LearningRate,
    double IterationsPerSecond, StepOutcome Outcome, long SkippedTotal, double AllReduceShare = 0, int WorldSize = 1);

/// <summary>How an iteration ended.</summary>
internal enum StepOutcome
{
    /// <summary>The optimizer stepped.</summary>
    Stepped,
    /// <summary>The loss was NaN or infinite: no backward pass, no step.</summary>
    NonFiniteLoss,
    /// <summary>The gradient norm was NaN or infinite: no step.</summary>
    NonFiniteGradient,
    /// <summary>fp16 training: the scaled gradients overflowed; no step, the loss scale was halved.
    /// Not counted towards rollback (the scale finds its level within a few steps).</summary>
    LossScaleOverflow,
}

/// <summary>Mean NLL per sample on the validation clips and the log-mel L1 of their resynthesis.</summary>
internal sealed record ValidationReport(long Iteration, double Nll, double LogMelL1, bool IsBest, double Seconds)
{
    /// <summary>The resynthesis's voicing error, HNR gap (dB) and F0 RMSE (cents) against the clips; NaN where not measured.</summary>
    public double VoicingError { get; init; } = double.NaN;
    public double HnrGapDb { get; init; } = double.NaN;
    public double F0RmseCents { get; init; } = double.NaN;
}

/// <summary>Receives progress from <c>Trainer</c> (the CLI renders it; tests record it).</summary>
internal interface ITrainingObserver
{
    void OnStart(TrainingPlan plan) { }
    void OnStep(StepReport step) { }
    void OnValidation(ValidationReport validation) { }
    /// <summary>Events worth a line: checkpoints written, rollbacks, warnings.</summary>
    void OnMessage(string message) { }
}
