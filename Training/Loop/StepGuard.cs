namespace WaveFlow.Training.Loop;

/// <summary>
/// Counts iterations whose loss or gradient was not finite. Such a step is skipped (the weights
/// and Adam's moments stay as they were); one bad batch is survivable, but several in a row
/// mean the weights themselves have gone bad, so the trainer rolls back to the last checkpoint.
/// </summary>
internal sealed class StepGuard(int maxInRow)
{
    /// <summary>Skipped iterations over the whole run (restored on resume).</summary>
    public long SkippedTotal { get; set; }

    /// <summary>Consecutive skipped iterations up to now.</summary>
    public int InRow { get; set; }

    /// <summary>Records one iteration; true when it is time to roll back (the count then restarts).</summary>
    public bool Record(StepOutcome outcome)
    {
        if (outcome == StepOutcome.Stepped)
        {
            InRow = 0;
            return false;
        }
        // An fp16 loss-scale overflow is bookkeeping, not bad weights (a real non-finite gradient
        // reaches the minimum scale and is then reported as NonFiniteGradient).
        if (outcome == StepOutcome.LossScaleOverflow) return false;
        SkippedTotal++;
        InRow++;
        if (InRow < maxInRow) return false;
        InRow = 0;
        return true;
    }
}
