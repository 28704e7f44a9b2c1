using WaveFlow.Core;

namespace WaveFlow.Vocoder.Checkpoints;

/// <summary>
/// The oldest WaveGlow layout (NVIDIA's glow_old.py) has, per WN layer, a residual 1x1 conv
/// <c>res_layers.i</c> (<c>n_channels → n_channels</c>, all layers but the last) and a skip 1x1 conv
/// <c>skip_layers.i</c> (<c>n_channels → n_channels</c>). Today's glow.py computes both with one
/// <c>res_skip_layers.i</c> whose first n_channels outputs are the residual and the rest the skip
/// (the last layer: the skip alone). Stacking [res; skip] along the output channels is therefore the
/// same function, which is what NVIDIA's convert_model.py does. The result is returned in the same
/// form as <see cref="CondLayerFusion"/>: <c>weight_g</c> = per-channel norm, <c>weight_v</c> = weight.
/// </summary>
internal static class ResSkipFusion
{
    public static void Fuse(Dictionary<string, FloatArray> state, IReadOnlyDictionary<string, long> normDims, string path)
    {
        foreach (var block in WeightNormTensors.BlocksWith(state, "skip_layers"))
        {
            string resPrefix = block + ".res_layers.", skipPrefix = block + ".skip_layers.";
            int layers = WeightNormTensors.CountLayers(state, skipPrefix);
            int resLayers = WeightNormTensors.CountLayers(state, resPrefix);
            if (layers == 0 || resLayers != layers - 1)
                throw WaveFlowException.ForFile(path, $"{block} has {resLayers} res_layers and {layers} skip_layers; expected one res layer fewer than skip layers");
            for (int i = 0; i < layers; i++)
            {
                var skip = WeightNormTensors.Take(state, $"{skipPrefix}{i}", normDims, path);
                if (i == layers - 1)
                {
                    WeightNormTensors.Put(state, $"{block}.res_skip_layers.{i}", skip.Weight, skip.Bias, skip.Normalised);
                    continue;
                }
                var res = WeightNormTensors.Take(state, $"{resPrefix}{i}", normDims, path);
                WeightNormTensors.Put(state, $"{block}.res_skip_layers.{i}",
                    WeightNormTensors.Concat([res.Weight, skip.Weight], $"{block} res/skip layer {i} weights", path),
                    WeightNormTensors.Concat([res.Bias, skip.Bias], $"{block} res/skip layer {i} biases", path),
                    res.Normalised || skip.Normalised);
            }
            WeightNormTensors.CheckConsumed(state, resPrefix, layers - 1, path);
            WeightNormTensors.CheckConsumed(state, skipPrefix, layers, path);
        }
    }
}
