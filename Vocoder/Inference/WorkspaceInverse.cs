using static TorchSharp.torch;

namespace WaveFlow.Vocoder;

/// <summary>
/// The inverse without autograd in preallocated buffers: one batch element at a time, each WN
/// through <see cref="WN.Infer"/> in one <see cref="InferenceWorkspace"/> shared by every flow and
/// layer (no per-flow conditioning tensor, no per-layer temporaries). The same function as
/// <see cref="WaveGlow.Inverse"/>, to float rounding. With autograd on or inside
/// <see cref="Autocast"/> it hands the call to the reference inverse, which keeps the graph and
/// autocast's casts.
/// </summary>
internal sealed class WorkspaceInverse(WaveGlow model) : IFlowInverse
{
    public WaveGlow Model => model;

    /// <inheritdoc/>
    public Tensor Inverse(Tensor z, Tensor mel)
    {
        if (is_grad_enabled() || Autocast.Dtype is not null) return model.Inverse(z, mel);
        using var scope = NewDisposeScope();
        var o = model.Options;
        long samples = model.InverseSamples(z);
        z = model.UnscalePrior(z);
        var spect = model.UpsampleForInverse(mel, samples);                    // (B, n_mel·g, T/g)
        var parts = new Tensor[z.shape[0]];
        for (long b = 0; b < parts.Length; b++)
        {
            using var ws = new InferenceWorkspace(spect[b], o.WN.NChannels, o.WN.KernelSize);
            parts[b] = model.InverseFlows(z.narrow(0, b, 1), (k, x0) => model.Block(k).Infer(x0[0], ws).unsqueeze(0));
        }
        return (parts.Length == 1 ? parts[0] : cat(parts, 0)).MoveToOuterDisposeScope();   // (B, T)
    }
}
