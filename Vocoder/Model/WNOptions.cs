using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using WaveFlow.Audio;
using WaveFlow.Core;
using WaveFlow.Core.Json;

namespace WaveFlow.Vocoder;

/// <summary>WN_config of NVIDIA's config.json: the WaveNet-like network inside each coupling.</summary>
internal sealed record WNOptions(
    [property: JsonPropertyName("n_layers")] int NLayers = 8,
    [property: JsonPropertyName("n_channels")] int NChannels = 256,
    [property: JsonPropertyName("kernel_size")] int KernelSize = 3);
