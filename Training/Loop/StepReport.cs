using WaveFlow.Training.Run;

namespace WaveFlow.Training.Loop;

/// <summary>One finished iteration. <c>Iteration</c> counts iterations done, this one included.
/// <c>AllReduceShare</c>: the share of the step's time spent in the gradient all-reduce (smoothed;
/// 0 for a single process), <c>WorldSize</c>: processes in the job.</summary>
internal sealed record StepReport(
    long Iteration, long EndIteration, long Epoch, double Loss, double GradNorm, double LearningRate,
    double IterationsPerSecond, StepOutcome Outcome, long SkippedTotal, double AllReduceShare = 0, int WorldSize = 1);
