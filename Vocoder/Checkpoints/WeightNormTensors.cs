using WaveFlow.Core;

namespace WaveFlow.Vocoder.Checkpoints;

/// <summary>
/// Weight-norm arithmetic on state-dict tensors, for rewriting old checkpoint layouts.
/// PyTorch's <c>weight_norm(dim=0)</c> stores <c>g</c> (<c>[out, 1, ..., 1]</c>) and <c>v</c> (the weight's shape) and
/// computes <c>w[o] = g[o] · v[o] / ||v[o]||</c>, the norm taken over every axis but the first.
/// </summary>
internal static class WeightNormTensors
{
    /// <summary>A layer's effective weight (weight norm folded) and bias, and whether it was weight-normalised.</summary>
    public sealed record Layer(FloatArray Weight, FloatArray Bias, bool Normalised);

    /// <summary>Removes <c>&lt;layer&gt;.weight_g/.weight_v/.weight/.bias</c> from <paramref name="state"/> and returns the folded layer.</summary>
    public static Layer Take(Dictionary<string, FloatArray> state, string layer, IReadOnlyDictionary<string, long> normDims, string path)
    {
        bool hasG = state.Remove(layer + ".weight_g", out var g), hasV = state.Remove(layer + ".weight_v", out var v);
        if (hasG != hasV) throw WaveFlowException.ForFile(path, $"{layer} has {(hasG ? "weight_g without weight_v" : "weight_v without weight_g")}");
        FloatArray weight;
        if (hasG)
        {
            long dim = normDims.TryGetValue(layer, out var d) ? d : 0;
            if (dim != 0) throw WaveFlowException.ForFile(path, $"{layer} is weight-normalised along dim {dim}; only dim 0 can be converted");
            weight = Fold(g!, v!, layer, path);
        }
        else if (!state.Remove(layer + ".weight", out weight!))
            throw WaveFlowException.ForFile(path, $"{layer} has neither weight nor weight_g/weight_v");
        var bias = state.Remove(layer + ".bias", out var b) ? b : throw WaveFlowException.ForFile(path, $"{layer}.bias is missing");
        return new Layer(weight, bias, hasG);
    }

    /// <summary>
    /// Stores a layer under <paramref name="name"/>: as <c>weight_g</c> = per-output-channel norm of the weight and
    /// <c>weight_v</c> = the weight (so that folding gives the weight back) when <paramref name="normalised"/>,
    /// else as a plain <c>weight</c>.
    /// </summary>
    public static void Put(Dictionary<string, FloatArray> state, string name, FloatArray weight, FloatArray bias, bool normalised)
    {
        state[name + ".bias"] = bias;
        if (normalised)
        {
            state[name + ".weight_g"] = RowNorms(weight);
            state[name + ".weight_v"] = weight;
        }
        else state[name + ".weight"] = weight;
    }

    /// <summary>w[o] = g[o] · v[o] / ||v[o]||, computed in double.</summary>
    public static FloatArray Fold(FloatArray g, FloatArray v, string layer, string path)
    {
        long rows = v.Shape[0], rowSize = v.Count / rows;
        if (g.Count != rows) throw WaveFlowException.ForFile(path, $"{layer}.weight_g has {g.Count} values for {rows} output channels");
        var w = new float[v.Data.Length];
        for (long o = 0; o < rows; o++)
        {
            double scale = g.Data[o] / RowNorm(v, o, rowSize);
            for (long j = 0; j < rowSize; j++) w[o * rowSize + j] = (float)(v.Data[o * rowSize + j] * scale);
        }
        return new FloatArray(w, v.Shape);
    }

    /// <summary>||w[o]|| for each output channel, shaped like weight_norm's g: [out, 1, ..., 1].</summary>
    public static FloatArray RowNorms(FloatArray w)
    {
        long rows = w.Shape[0], rowSize = w.Count / rows;
        var g = new float[rows];
        for (long o = 0; o < rows; o++) g[o] = (float)RowNorm(w, o, rowSize);
        return new FloatArray(g, [rows, .. Enumerable.Repeat(1L, w.Shape.Length - 1)]);
    }

    private static double RowNorm(FloatArray w, long row, long rowSize)
    {
        double sum = 0;
        for (long j = 0; j < rowSize; j++) { double x = w.Data[row * rowSize + j]; sum += x * x; }
        return Math.Sqrt(sum);
    }

    /// <summary>Concatenation along dim 0: in C order, the flat arrays one after another.</summary>
    public static FloatArray Concat(IReadOnlyList<FloatArray> parts, string what, string path)
    {
        var rest = parts[0].Shape[1..];
        if (parts.Any(p => !p.Shape[1..].SequenceEqual(rest)))
            throw WaveFlowException.ForFile(path, $"{what} have different shapes and cannot be concatenated");
        return new FloatArray(parts.SelectMany(p => p.Data).ToArray(), [parts.Sum(p => p.Shape[0]), .. rest]);
    }

    /// <summary>The WN blocks ("WN.3") that have keys "&lt;block&gt;.&lt;list&gt;.i.*".</summary>
    public static List<string> BlocksWith(Dictionary<string, FloatArray> state, string list) =>
        state.Keys.Select(k => k.IndexOf($".{list}.", StringComparison.Ordinal) is int i and >= 0 ? k[..i] : null)
            .OfType<string>().Distinct().ToList();

    /// <summary>How many layers "&lt;prefix&gt;0", "&lt;prefix&gt;1", ... exist (numbered from 0 without gaps).</summary>
    public static int CountLayers(Dictionary<string, FloatArray> state, string prefix)
    {
        int n = 0;
        while (state.Keys.Any(k => k.StartsWith($"{prefix}{n}.", StringComparison.Ordinal))) n++;
        return n;
    }

    /// <summary>After taking all layers, nothing under <paramref name="prefix"/> may remain.</summary>
    public static void CheckConsumed(Dictionary<string, FloatArray> state, string prefix, int layers, string path)
    {
        if (state.Keys.FirstOrDefault(k => k.StartsWith(prefix, StringComparison.Ordinal)) is { } left)
            throw WaveFlowException.ForFile(path, $"unexpected key {left} (layers must be numbered 0..{layers - 1})");
    }
}
