namespace WaveFlow.Vocoder;

/// <summary>Picks the inverse a loaded model synthesises with, once, when it is loaded.</summary>
internal static class FlowInverse
{
    /// <summary>
    /// The phase-folded inverse where the fold applies to the model's settings and its weights fit
    /// <paramref name="foldBudgetBytes"/> (<see cref="PhaseFold.AutoBudgetBytes"/> by default),
    /// otherwise the workspace inverse. Call after the weights are final, on their device and in
    /// their dtype (weight norm folded). The caller disposes the result.
    /// </summary>
    public static IFlowInverse ForSynthesis(WaveGlow model, long foldBudgetBytes = PhaseFold.AutoBudgetBytes) =>
        PhaseFoldedInverse.TryCreate(model, foldBudgetBytes) is { } folded ? folded : new WorkspaceInverse(model);

    /// <summary>
    /// The inverse for <paramref name="copy"/>, a low-precision copy of <paramref name="source"/>'s
    /// model with the same weights: the source's fold cast to the copy's dtype and device when it
    /// has one (rounded once from float32 instead of folded from rounded weights), else the same
    /// choice as <see cref="ForSynthesis"/>.
    /// </summary>
    public static IFlowInverse ForCopy(IFlowInverse source, WaveGlow copy, long foldBudgetBytes = PhaseFold.AutoBudgetBytes) =>
        source is PhaseFoldedInverse folded ? folded.CastTo(copy) : ForSynthesis(copy, foldBudgetBytes);

    /// <summary>Disposes <paramref name="inverse"/> when it holds anything (a fold's weights).</summary>
    public static void Release(IFlowInverse inverse)
    {
        if (inverse is IDisposable disposable && inverse is not WaveGlow) disposable.Dispose();
    }
}
