using WaveFlow.Training.Run;

namespace WaveFlow.Training.Loop;

/// <summary>Mean NLL per sample on the validation clips and the log-mel L1 of their resynthesis.</summary>
internal sealed record ValidationReport(long Iteration, double Nll, double LogMelL1, bool IsBest, double Seconds)
{
    /// <summary>The resynthesis's voicing error, HNR gap (dB) and F0 RMSE (cents) against the clips; NaN where not measured.</summary>
    public double VoicingError { get; init; } = double.NaN;
    public double HnrGapDb { get; init; } = double.NaN;
    public double F0RmseCents { get; init; } = double.NaN;
}
