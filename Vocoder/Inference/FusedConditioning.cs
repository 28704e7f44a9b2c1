using static TorchSharp.torch;

namespace WaveFlow.Vocoder;

/// <summary>
/// Every flow's conditioning as one matrix product. Each WN begins with cond_layer, a 1x1
/// convolution of the same upsampled mel (n_mel·n_group → 2·n_channels·n_layers); stacking the
/// n_flows weights along the output channels turns n_flows products into one, with one bias add.
/// The result is the same function. Cost: all n_flows outputs live at once
/// (n_flows · 2·n_channels·n_layers · T/n_group values: 5.4 GB in fp32 for NVIDIA's config on
/// 10 s of audio, 0.45 GB for 8 × 4 × 64), so it suits short utterances or chunked synthesis.
/// </summary>
internal sealed partial class WaveGlow
{
    // Not a Tensor field (RegisterComponents/to() would treat it as a buffer): a holder object.
    private FusedWeights? fused;
    private bool fuseConditioning;

    /// <summary>
    /// When true, <see cref="Inverse"/> computes all flows' conditioning in one product. The
    /// stacked weight is cached for inference: set this after loading (and folding) the weights,
    /// and again if they change.
    /// </summary>
    public bool FuseConditioning
    {
        get => fuseConditioning;
        set { fuseConditioning = value; fused?.Dispose(); fused = null; }
    }

    /// <summary>spect (B, n_mel·g, T/g) → one (B, 2·C·L, T/g) view per flow, in flow order.</summary>
    private Tensor[] ConditionAllFlows(Tensor spect)
    {
        if (fused is null || fused.Weight.dtype != spect.dtype || fused.Weight.device.ToString() != spect.device.ToString())
        {
            fused?.Dispose();
            fused = new FusedWeights(wn.Select(block => block.CondLayer).ToList(), spect.dtype, spect.device);
        }
        var all = ConvAsProducts.Conv1d(spect, fused.Weight, fused.Bias);      // (B, n_flows·2·C·L, T/g)
        var parts = new Tensor[Options.NFlows];
        for (int k = 0; k < parts.Length; k++)
            parts[k] = all.narrow(1, k * fused.PerFlow, fused.PerFlow);      // (B, 2·C·L, T/g)
        return parts;
    }

    private sealed class FusedWeights : IDisposable
    {
        public Tensor Weight { get; }
        public Tensor Bias { get; }
        public long PerFlow { get; }

        public FusedWeights(IReadOnlyList<WeightNormConv1d> layers, ScalarType dtype, Device device)
        {
            using var scope = NewDisposeScope();
            using var _ = no_grad();
            var weights = layers.Select(l => l.EffectiveWeight()).ToArray();   // each (2·C·L, n_mel·g, 1)
            PerFlow = weights[0].shape[0];
            Weight = cat(weights, 0).to(dtype, device).DetachFromDisposeScope();                             // (n_flows·2·C·L, n_mel·g, 1)
            Bias = cat(layers.Select(l => l.BiasTensor).ToArray(), 0).to(dtype, device).DetachFromDisposeScope();  // (n_flows·2·C·L)
        }

        public void Dispose() { Weight.Dispose(); Bias.Dispose(); }
    }
}
