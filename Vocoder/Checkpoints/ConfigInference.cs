using WaveFlow.Audio;
using WaveFlow.Core;

namespace WaveFlow.Vocoder.Checkpoints;

/// <summary>
/// Recovers waveglow_config from a state dict's tensor shapes, for checkpoints that carry no
/// config (NVIDIA's .pt files, plain safetensors). The shapes determine the model completely
/// except the STFT hop (a stride leaves no trace in the weights) and the sampling rate: those
/// take NVIDIA's 256 / 22050, which only holds for filter_length 1024, so other upsampler kernels
/// require a config file.
/// </summary>
internal static class ConfigInference
{
    public static (WaveGlowOptions Options, MelOptions Mel) Infer(IReadOnlyDictionary<string, FloatArray> state, string path)
    {
        long[] Shape(string key) => state.TryGetValue(key, out var t) ? t.Shape
            : throw WaveFlowException.ForFile(path, $"cannot infer the model configuration: tensor {key} is missing (give --config)");
        long[] ShapeOfWeight(string prefix) =>
            state.ContainsKey(prefix + ".weight_v") ? Shape(prefix + ".weight_v") : Shape(prefix + ".weight");

        var upsample = Shape("upsample.weight");                       // (n_mel, n_mel, filter_length)
        int nFlows = 0;
        while (state.ContainsKey($"convinv.{nFlows}.conv.weight")) nFlows++;
        if (nFlows == 0) Shape("convinv.0.conv.weight");
        var channels = Enumerable.Range(0, nFlows).Select(k => (int)Shape($"convinv.{k}.conv.weight")[0]).ToArray();

        // The first flow with fewer channels tells where and how many channels leave early.
        int earlyEvery = nFlows, earlySize = 2;
        for (int k = 1; k < nFlows; k++)
            if (channels[k] < channels[k - 1]) { earlyEvery = k; earlySize = channels[k - 1] - channels[k]; break; }

        int nLayers = 0;
        while (state.ContainsKey($"WN.0.in_layers.{nLayers}.weight_v") || state.ContainsKey($"WN.0.in_layers.{nLayers}.weight")) nLayers++;
        var start = ShapeOfWeight("WN.0.start");                       // (n_channels, n_half, 1)
        var inLayer = ShapeOfWeight("WN.0.in_layers.0");               // (2·n_channels, n_channels, kernel)

        var options = new WaveGlowOptions
        {
            NMelChannels = (int)upsample[0],
            NFlows = nFlows,
            NGroup = channels[0],
            NEarlyEvery = Math.Max(earlyEvery, 1),
            NEarlySize = earlySize,
            WN = new WNOptions(nLayers, (int)start[0], (int)inLayer[2]),
        };
        options.Validate($"{path} (configuration inferred from tensor shapes)");
        for (int k = 0; k < nFlows; k++)
            if (options.ChannelsAtFlow(k) != channels[k])
                throw WaveFlowException.ForFile(path, $"convinv.{k}.conv.weight has {channels[k]} channels, the inferred early-output schedule gives {options.ChannelsAtFlow(k)} (give --config)");
        if (upsample[2] != 1024)
            throw WaveFlowException.ForFile(path, $"upsample.weight has kernel {upsample[2]}, not NVIDIA's 1024: the hop length cannot be inferred (give --config with data_config)");
        return (options, new MelOptions { NMelChannels = (int)upsample[0] });
    }
}
