using WaveFlow.Training.Run;

namespace WaveFlow.Training.Loop;

/// <summary>Mean NLL per sample on the validation clips and the log-mel L1 of their resynthesis.</summary>
internal sealed record ValidationReport(long Iteration, double Nll, double LogMelL1, bool IsBest, double Seconds);
