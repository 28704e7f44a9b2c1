using WaveFlow.Serialization;

namespace WaveFlow.Vocoder.Checkpoints;

/// <summary>
/// NVIDIA's published WaveGlow checkpoints predate today's glow.py: each WN block holds a
/// <c>cond_layers</c> ModuleList with one weight-normalised 1x1 convolution per layer
/// (<c>n_mel·n_group → 2·n_channels</c>), where glow.py now has a single <c>cond_layer</c>
/// (<c>n_mel·n_group → 2·n_channels·n_layers</c>) whose output WN slices per layer.
/// The two are the same function once the per-layer weights are stacked along the output
/// channels — what NVIDIA's convert_model.py does.
///
/// Returned form (documented choice): the fused layer keeps weight normalisation, as
/// <c>WN.k.cond_layer.weight_g</c> = the per-output-channel L2 norm of the fused weight
/// (shape <c>[out, 1, 1]</c>) and <c>WN.k.cond_layer.weight_v</c> = the fused weight itself, so that
/// folding <c>g · v / ||v||</c> gives back the fused weight (up to float rounding) and the key set equals
/// today's glow.py state dict. This is exactly what convert_model.py produces by applying
/// <c>weight_norm</c> to the fused convolution. (An all-zero output channel would fold to 0/0, as in
/// PyTorch; trained checkpoints have none.) When the checkpoint's conditioning layers have no weight
/// norm (it was removed before saving), the fused layer is returned as a plain <c>weight</c>.
/// </summary>
internal static class CondLayerFusion
{
    /// <summary>
    /// Replaces every <c>WN.k.cond_layers.i.*</c> group in <paramref name="state"/> by one
    /// <c>WN.k.cond_layer.*</c>. <paramref name="normDims"/> gives the weight-norm axis of a module
    /// prefix when the checkpoint recorded it (PyTorch's default, and NVIDIA's, is 0).
    /// </summary>
    public static void Fuse(Dictionary<string, FloatArray> state, IReadOnlyDictionary<string, long> normDims, string path)
    {
        var blocks = state.Keys
            .Select(k => k.IndexOf(".cond_layers.", StringComparison.Ordinal) is int i and >= 0 ? k[..i] : null)
            .OfType<string>().Distinct().ToList();
        foreach (var block in blocks)
        {
            string prefix = block + ".cond_layers.";
            int layers = 0;
            while (state.Keys.Any(k => k.StartsWith($"{prefix}{layers}.", StringComparison.Ordinal))) layers++;
            if (state.Keys.Count(k => k.StartsWith(prefix, StringComparison.Ordinal)) == 0 || layers == 0)
                throw WaveFlowException.ForFile(path, $"{prefix}0 is missing although {block} has cond_layers");
            var weights = new List<FloatArray>();
            var biases = new List<FloatArray>();
            bool normalised = false;
            for (int i = 0; i < layers; i++)
            {
                string layer = $"{prefix}{i}";
                bool hasG = state.Remove(layer + ".weight_g", out var g), hasV = state.Remove(layer + ".weight_v", out var v);
                if (hasG != hasV) throw WaveFlowException.ForFile(path, $"{layer} has {(hasG ? "weight_g without weight_v" : "weight_v without weight_g")}");
                if (hasG)
                {
                    long dim = normDims.TryGetValue(layer, out var d) ? d : 0;
                    if (dim != 0) throw WaveFlowException.ForFile(path, $"{layer} is weight-normalised along dim {dim}; only dim 0 can be fused");
                    weights.Add(Fold(g!, v!, layer, path));
                    normalised = true;
                }
                else if (state.Remove(layer + ".weight", out var w)) weights.Add(w);
                else throw WaveFlowException.ForFile(path, $"{layer} has neither weight nor weight_g/weight_v");
                biases.Add(state.Remove(layer + ".bias", out var b) ? b : throw WaveFlowException.ForFile(path, $"{layer}.bias is missing"));
            }
            if (state.Keys.Any(k => k.StartsWith(prefix, StringComparison.Ordinal)))
                throw WaveFlowException.ForFile(path, $"unexpected key {state.Keys.First(k => k.StartsWith(prefix, StringComparison.Ordinal))} (cond_layers must be numbered 0..{layers - 1})");
            var weight = Concat(weights, $"{block}.cond_layers weights", path);
            var bias = Concat(biases, $"{block}.cond_layers biases", path);
            string fused = block + ".cond_layer";
            state[fused + ".bias"] = bias;
            if (normalised)
            {
                state[fused + ".weight_g"] = RowNorms(weight);
                state[fused + ".weight_v"] = weight;
            }
            else state[fused + ".weight"] = weight;
        }
    }

    /// <summary>Weight norm along dim 0: w[o] = g[o] · v[o] / ||v[o]|| (norm over every other axis), in double.</summary>
    internal static FloatArray Fold(FloatArray g, FloatArray v, string layer, string path)
    {
        long rows = v.Shape[0], rowSize = v.Count / rows;
        if (g.Count != rows) throw WaveFlowException.ForFile(path, $"{layer}.weight_g has {g.Count} values for {rows} output channels");
        var w = new float[v.Data.Length];
        for (long o = 0; o < rows; o++)
        {
            double norm = 0;
            for (long j = 0; j < rowSize; j++) { double x = v.Data[o * rowSize + j]; norm += x * x; }
            double scale = g.Data[o] / Math.Sqrt(norm);
            for (long j = 0; j < rowSize; j++) w[o * rowSize + j] = (float)(v.Data[o * rowSize + j] * scale);
        }
        return new FloatArray(w, v.Shape);
    }

    /// <summary>||w[o]|| for each output channel, shaped like weight_norm's g: [out, 1, ..., 1].</summary>
    internal static FloatArray RowNorms(FloatArray w)
    {
        long rows = w.Shape[0], rowSize = w.Count / rows;
        var g = new float[rows];
        for (long o = 0; o < rows; o++)
        {
            double norm = 0;
            for (long j = 0; j < rowSize; j++) { double x = w.Data[o * rowSize + j]; norm += x * x; }
            g[o] = (float)Math.Sqrt(norm);
        }
        long[] shape = [rows, .. Enumerable.Repeat(1L, w.Shape.Length - 1)];
        return new FloatArray(g, shape);
    }

    /// <summary>Concatenation along dim 0: in C order that is the flat arrays one after another.</summary>
    private static FloatArray Concat(List<FloatArray> parts, string what, string path)
    {
        var rest = parts[0].Shape[1..];
        if (parts.Any(p => !p.Shape[1..].SequenceEqual(rest)))
            throw WaveFlowException.ForFile(path, $"{what} have different shapes and cannot be concatenated");
        long rows = parts.Sum(p => p.Shape[0]);
        return new FloatArray(parts.SelectMany(p => p.Data).ToArray(), [rows, .. rest]);
    }
}
