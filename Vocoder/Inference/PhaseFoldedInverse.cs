using static TorchSharp.torch;

namespace WaveFlow.Vocoder;

/// <summary>
/// The inverse with the mel upsampler folded into every flow's conditioning (<see cref="PhaseFold"/>:
/// half the conditioning's arithmetic, no upsampled mel): each batch element's WN layers read its
/// mel's frame windows in an <see cref="InferenceWorkspace"/>. Made from the weights as they are at
/// creation and on their device (inference only, like <see cref="WaveGlow.FoldWeightNorm"/>); a mel
/// of another dtype or device, or a z that does not ask for all of the mel's F·hop samples, goes
/// through <see cref="WorkspaceInverse"/> instead, as does any call with autograd on.
/// </summary>
internal sealed class PhaseFoldedInverse : IFlowInverse, IDisposable
{
    private readonly WaveGlow model;
    private readonly PhaseFold[] folds;   // one per flow
    private readonly WorkspaceInverse unfolded;

    private PhaseFoldedInverse(WaveGlow model, PhaseFold[] folds)
    {
        (this.model, this.folds) = (model, folds);
        unfolded = new WorkspaceInverse(model);
    }

    public WaveGlow Model => model;

    /// <summary>
    /// Folds <paramref name="model"/>'s conditioning when its settings allow it and the folded
    /// weights in the model's current dtype take at most <paramref name="budgetBytes"/>; null
    /// otherwise. Call after <c>to(dtype, device)</c> and never before training.
    /// </summary>
    public static PhaseFoldedInverse? TryCreate(WaveGlow model, long budgetBytes = PhaseFold.AutoBudgetBytes)
    {
        var upsample = model.Upsampler;
        var dtype = upsample.Weight.dtype;
        int elementSize = dtype is ScalarType.Float16 or ScalarType.BFloat16 ? 2 : 4;
        if (!PhaseFold.Applies(model.Options, model.Mel) || PhaseFold.Bytes(model.Options, model.Mel, elementSize) > budgetBytes) return null;
        using var _ = no_grad();
        using var upsampler = new PhaseFold.UpsamplerTaps(upsample.Weight, upsample.Bias, model.Options.NGroup, model.Mel.HopLength);
        var folds = Enumerable.Range(0, model.Options.NFlows).Select(k => model.Block(k).FoldConditioning(upsampler)).ToArray();
        return new PhaseFoldedInverse(model, folds);
    }

    /// <summary>
    /// This fold cast to <paramref name="copy"/>'s dtype and device, for a low-precision copy of
    /// this model (same weights): the fold is then rounded once from float32 rather than computed
    /// from rounded weights. The caller disposes the result.
    /// </summary>
    public PhaseFoldedInverse CastTo(WaveGlow copy)
    {
        var like = copy.Upsampler.Weight;
        return new PhaseFoldedInverse(copy, folds.Select(f => f.To(like.dtype, like.device)).ToArray());
    }

    /// <inheritdoc/>
    public Tensor Inverse(Tensor z, Tensor mel)
    {
        if (is_grad_enabled() || Autocast.Dtype is not null) return model.Inverse(z, mel);
        long samples = model.InverseSamples(z);
        if (!folds[0].Matches(mel) || samples != mel.shape[2] * model.Mel.HopLength) return unfolded.Inverse(z, mel);
        using var scope = NewDisposeScope();
        var o = model.Options;
        z = model.UnscalePrior(z);
        var parts = new Tensor[z.shape[0]];
        for (long b = 0; b < parts.Length; b++)
        {
            using var ws = new InferenceWorkspace(folds[0].Windows(mel[b]), folds[0].Phases, o.WN.NChannels, o.WN.KernelSize);
            parts[b] = model.InverseFlows(z.narrow(0, b, 1), (k, x0) => model.Block(k).Infer(x0[0], ws, folds[k]).unsqueeze(0));
        }
        return (parts.Length == 1 ? parts[0] : cat(parts, 0)).MoveToOuterDisposeScope();   // (B, T)
    }

    public void Dispose()
    {
        foreach (var fold in folds) fold.Dispose();
    }
}
