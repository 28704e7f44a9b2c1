using static TorchSharp.torch;

using WaveFlow.Vocoder;

namespace WaveFlow.Evaluation.Benchmarks;

/// <summary>
/// Every flow's conditioning as one matrix product. Each WN begins with cond_layer, a 1x1
/// convolution of the same upsampled mel (n_mel·n_group → 2·n_channels·n_layers); stacking the
/// n_flows weights along the output channels turns n_flows products into one, with one bias add.
/// The result is the same function. Cost: all n_flows outputs live at once
/// (n_flows · 2·n_channels·n_layers · T/n_group values), so synthesis does not use it; the
/// benchmark's <c>--compare</c> times it beside the inverses synthesis runs.
/// </summary>
internal sealed class FusedConditioningInverse(WaveGlow model) : IFlowInverse, IDisposable
{
    // The stacked weights for the dtype and device of the last call, made on first use.
    private FusedWeights? fused;

    public WaveGlow Model => model;

    /// <inheritdoc/>
    public Tensor Inverse(Tensor z, Tensor mel)
    {
        using var scope = NewDisposeScope();
        long samples = model.InverseSamples(z);
        z = model.UnscalePrior(z);
        var spect = model.UpsampleForInverse(mel, samples);                    // (B, n_mel·g, T/g)
        var conds = ConditionAllFlows(spect);                                  // per flow (B, 2·C·L, T/g)
        return model.InverseFlows(z, (k, x0) => model.Block(k).ForwardConditioned(x0, conds[k])).MoveToOuterDisposeScope();   // (B, T)
    }

    /// <summary>spect (B, n_mel·g, T/g) → one (B, 2·C·L, T/g) view per flow, in flow order.</summary>
    private Tensor[] ConditionAllFlows(Tensor spect)
    {
        if (fused is null || fused.Weight.dtype != spect.dtype || fused.Weight.device.ToString() != spect.device.ToString())
        {
            fused?.Dispose();
            fused = new FusedWeights(Enumerable.Range(0, model.Options.NFlows).Select(k => model.Block(k).CondLayer).ToList(), spect.dtype, spect.device);
        }
        var all = ConvAsProducts.Conv1d(spect, fused.Weight, fused.Bias);      // (B, n_flows·2·C·L, T/g)
        var parts = new Tensor[model.Options.NFlows];
        for (int k = 0; k < parts.Length; k++)
            parts[k] = all.narrow(1, k * fused.PerFlow, fused.PerFlow);      // (B, 2·C·L, T/g)
        return parts;
    }

    public void Dispose() => fused?.Dispose();

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
