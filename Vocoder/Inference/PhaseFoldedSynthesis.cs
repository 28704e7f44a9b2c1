using static TorchSharp.torch;

namespace WaveFlow.Vocoder;

/// <summary>Synthesis with the mel upsampler folded into every flow's conditioning (<see cref="PhaseFold"/>).</summary>
internal sealed partial class WaveGlow
{
    private PhaseFold[]? conditioningFolds;   // synthesis only; not part of the state dict

    /// <summary>
    /// Folds the mel upsampler into every flow's conditioning for synthesis (<see cref="PhaseFold"/>:
    /// half the conditioning's arithmetic, no upsampled mel) when the settings allow it and the
    /// folded weights in the model's current dtype take at most <paramref name="budgetBytes"/>.
    /// Inference only, like <see cref="FoldWeightNorm"/>: made from the weights as they are now
    /// and on their device, so call it after <c>to(dtype, device)</c> and never before training;
    /// <see cref="Inverse"/> uses the fold only while the mel's dtype and device match it.
    /// Returns whether the conditioning is folded.
    /// </summary>
    public bool FoldConditioning(long budgetBytes = PhaseFold.AutoBudgetBytes)
    {
        if (conditioningFolds is not null) return true;
        var dtype = upsample.Weight.dtype;
        int elementSize = dtype is ScalarType.Float16 or ScalarType.BFloat16 ? 2 : 4;
        if (!PhaseFold.Applies(Options, Mel) || PhaseFold.Bytes(Options, Mel, elementSize) > budgetBytes) return false;
        using var _ = no_grad();
        using var upsampler = new PhaseFold.UpsamplerTaps(upsample.Weight, upsample.Bias, Options.NGroup, Mel.HopLength);
        conditioningFolds = wn.Select(block => block.FoldConditioning(upsampler)).ToArray();
        return true;
    }

    /// <summary>
    /// Takes <paramref name="source"/>'s folded conditioning, cast to this model's dtype and device,
    /// instead of folding again: for a low-precision copy of a folded model (same weights), whose
    /// fold is then rounded once from float32 rather than computed from rounded weights. Returns
    /// false when the source has no fold.
    /// </summary>
    public bool CopyConditioningFold(WaveGlow source)
    {
        if (source.conditioningFolds is not { } folds) return false;
        UnfoldConditioning();
        var like = upsample.Weight;
        conditioningFolds = folds.Select(f => f.To(like.dtype, like.device)).ToArray();
        return true;
    }

    /// <summary>Drops the folded conditioning (synthesis goes back to the upsampler and cond_layer).</summary>
    public void UnfoldConditioning()
    {
        foreach (var fold in conditioningFolds ?? []) fold.Dispose();
        conditioningFolds = null;
    }

    /// <summary>Whether <see cref="FoldConditioning"/> has folded the conditioning.</summary>
    public bool ConditioningFolded => conditioningFolds is not null;

    /// <summary>The folds, when they fit this mel (dtype, device) and z asks for all of its F·hop samples.</summary>
    private PhaseFold[]? FoldsFor(Tensor mel, long samples) =>
        conditioningFolds is { } folds && folds[0].Matches(mel) && samples == mel.shape[2] * Mel.HopLength ? folds : null;

    /// <summary>
    /// <see cref="Inverse"/> through the folds: each batch element's WN layers read its mel's
    /// frame windows in an <see cref="InferenceWorkspace"/>; the upsampled mel is never made.
    /// z is already divided by the prior scale. → (B, T).
    /// </summary>
    private Tensor InverseFolded(Tensor z, Tensor mel, PhaseFold[] folds)
    {
        using var scope = NewDisposeScope();
        var parts = new Tensor[z.shape[0]];
        for (long b = 0; b < parts.Length; b++)
        {
            using var ws = new InferenceWorkspace(folds[0].Windows(mel[b]), folds[0].Phases, Options.WN.NChannels, Options.WN.KernelSize);
            parts[b] = InverseFlows(z.narrow(0, b, 1), (k, x0) => wn[k].Infer(x0[0], ws, folds[k]).unsqueeze(0));
        }
        return (parts.Length == 1 ? parts[0] : cat(parts, 0)).MoveToOuterDisposeScope();   // (B, T)
    }
}
