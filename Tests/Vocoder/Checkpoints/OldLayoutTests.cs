using WaveFlow.Core;
using WaveFlow.Core.Serialization;
using WaveFlow.Core.Serialization.PyTorch;
using WaveFlow.Tests.Support;
using WaveFlow.Vocoder;
using WaveFlow.Vocoder.Checkpoints;

namespace WaveFlow.Tests.Vocoder.Checkpoints;

/// <summary>
/// The oldest WaveGlow layout (cond_layers per layer, separate res_layers/skip_layers), built from micro's
/// reference weights by splitting each fused layer, must load back as the same function: every
/// weight-normalised layer folds to the reference's folded weight.
/// </summary>
public class OldLayoutTests
{
    private const int NChannels = 16, NLayers = 3; // micro's WN_config

    [Fact]
    public void SplitLayersFuseBackToTheReferenceWeights()
    {
        var reference = Safetensors.Read(Fixture.Path_("micro", "weights.safetensors")).Tensors;
        var old = new List<KeyValuePair<string, FloatArray>>();
        foreach (var (key, t) in reference)
        {
            if (key.Contains(".cond_layer.") || key.Contains(".res_skip_layers.")) continue;
            old.Add(new(key, t));
        }
        for (int k = 0; reference.ContainsKey($"WN.{k}.start.bias"); k++)
        {
            var (w, b) = Folded(reference, $"WN.{k}.cond_layer");
            for (int i = 0; i < NLayers; i++)
                AddNormalised(old, $"WN.{k}.cond_layers.{i}", Rows(w, 2 * NChannels * i, 2 * NChannels), Rows(b, 2 * NChannels * i, 2 * NChannels));
            for (int i = 0; i < NLayers; i++)
            {
                var (rw, rb) = Folded(reference, $"WN.{k}.res_skip_layers.{i}");
                if (i < NLayers - 1)
                {
                    AddNormalised(old, $"WN.{k}.res_layers.{i}", Rows(rw, 0, NChannels), Rows(rb, 0, NChannels));
                    AddNormalised(old, $"WN.{k}.skip_layers.{i}", Rows(rw, NChannels, NChannels), Rows(rb, NChannels, NChannels));
                }
                else AddNormalised(old, $"WN.{k}.skip_layers.{i}", rw, rb);
            }
        }
        using var tmp = new TempDir();
        var path = tmp["wfold.pt"];
        TorchZipWriter.WriteStateDict(path, old);
        var loaded = NvidiaCheckpoint.LoadStateDict(path);

        Assert.Equal(reference.Keys.Order(StringComparer.Ordinal), loaded.Keys.Order(StringComparer.Ordinal));
        foreach (var (key, t) in reference)
        {
            Assert.Equal(t.Shape, loaded[key].Shape);
            if (key.EndsWith(".weight_g") || key.EndsWith(".weight_v")) continue;
            Assert.Equal(t.Data, loaded[key].Data);
        }
        foreach (var g in reference.Keys.Where(k => k.EndsWith(".weight_g")))
        {
            string layer = g[..^".weight_g".Length];
            var expected = Folded(reference, layer).Weight.Data;
            var actual = Folded(loaded, layer).Weight.Data;
            Assert.True(Fixture.RelativeL2(actual, expected) < 1e-6, $"{layer}: folded weights differ");
        }
    }

    private static (FloatArray Weight, FloatArray Bias) Folded(IReadOnlyDictionary<string, FloatArray> s, string layer) =>
        (WeightNormTensors.Fold(s[layer + ".weight_g"], s[layer + ".weight_v"], layer, "test"), s[layer + ".bias"]);

    // Stores w as weight norm with v = 3·w (so v is not the weight itself) and g = ||w|| per row.
    private static void AddNormalised(List<KeyValuePair<string, FloatArray>> s, string layer, FloatArray w, FloatArray b)
    {
        s.Add(new(layer + ".weight_g", WeightNormTensors.RowNorms(w)));
        s.Add(new(layer + ".weight_v", new FloatArray(w.Data.Select(x => 3 * x).ToArray(), w.Shape)));
        s.Add(new(layer + ".bias", b));
    }

    private static FloatArray Rows(FloatArray t, int start, int count)
    {
        long rowSize = t.Count / t.Shape[0];
        return new FloatArray(t.Data.Skip((int)(start * rowSize)).Take((int)(count * rowSize)).ToArray(), [count, .. t.Shape[1..]]);
    }
}
