using WaveFlow.Core;

namespace WaveFlow.Vocoder.Checkpoints;

/// <summary>
/// NVIDIA's published WaveGlow checkpoints predate today's glow.py: each WN block holds a
/// <c>cond_layers</c> ModuleList with one weight-normalised 1x1 convolution per layer
/// (<c>n_mel·n_group → 2·n_channels</c>), where glow.py now has a single <c>cond_layer</c>
/// (<c>n_mel·n_group → 2·n_channels·n_layers</c>) whose output WN slices per layer
/// (layer i uses output channels <c>[2·n_channels·i, 2·n_channels·(i+1))</c>).
/// The two are the same function once the per-layer weights are stacked along the output
/// channels, which is what NVIDIA's convert_model.py does.
///
/// Returned form (documented choice): the fused layer keeps weight normalisation, as
/// <c>WN.k.cond_layer.weight_g</c> = the per-output-channel L2 norm of the fused weight
/// (shape <c>[out, 1, 1]</c>) and <c>WN.k.cond_layer.weight_v</c> = the fused weight itself, so that
/// folding <c>g · v / ||v||</c> gives back the fused weight (up to float rounding) and the key set equals
/// today's glow.py state dict. convert_model.py produces the same by applying <c>weight_norm</c> to the
/// fused convolution. (An all-zero output channel would fold to 0/0, as in PyTorch; trained checkpoints
/// have none.) When the conditioning layers carry no weight norm (it was removed before saving), the
/// fused layer is returned as a plain <c>weight</c>.
/// </summary>
internal static class CondLayerFusion
{
    /// <summary>Replaces every <c>WN.k.cond_layers.i.*</c> group by one <c>WN.k.cond_layer.*</c>.</summary>
    public static void Fuse(Dictionary<string, FloatArray> state, IReadOnlyDictionary<string, long> normDims, string path)
    {
        foreach (var block in WeightNormTensors.BlocksWith(state, "cond_layers"))
        {
            string prefix = block + ".cond_layers.";
            int layers = WeightNormTensors.CountLayers(state, prefix);
            if (layers == 0) throw WaveFlowException.ForFile(path, $"{prefix}0 is missing although {block} has cond_layers");
            var taken = Enumerable.Range(0, layers).Select(i => WeightNormTensors.Take(state, $"{prefix}{i}", normDims, path)).ToList();
            WeightNormTensors.CheckConsumed(state, prefix, layers, path);
            WeightNormTensors.Put(state, block + ".cond_layer",
                WeightNormTensors.Concat(taken.Select(l => l.Weight).ToList(), $"{block}.cond_layers weights", path),
                WeightNormTensors.Concat(taken.Select(l => l.Bias).ToList(), $"{block}.cond_layers biases", path),
                taken.Any(l => l.Normalised));
        }
    }
}
