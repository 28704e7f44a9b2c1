using System.Text.Json;
using System.Text.Json.Serialization;
using WaveFlow.Core.Json;

namespace WaveFlow.Audio;

/// <summary>
/// A sectioned config (NVIDIA's config.json layout) as the mel front end reads it: data_config
/// key by key, and from waveglow_config only n_mel_channels. The other sections and keys belong
/// to the vocoder and to training, whose readers check them key by key (every command given a
/// sectioned config checks the whole file); here they must be JSON objects without repeated keys.
/// </summary>
internal sealed record MelConfigFile
{
    [JsonPropertyName(ConfigSections.Data)] public DataOptions Data { get; init; } = new();
    [JsonPropertyName(ConfigSections.Model)] public ModelMelChannels Model { get; init; } = new();
    [JsonPropertyName(ConfigSections.Train)] public Dictionary<string, JsonElement> Train { get; init; } = [];
    [JsonPropertyName(ConfigSections.Dist)] public Dictionary<string, JsonElement> Dist { get; init; } = [];

    /// <summary>The mel settings, validated; errors name <paramref name="source"/>.</summary>
    public MelOptions Mel(string source) => Data.Mel(source, Model.NMelChannels);

    /// <summary>waveglow_config's n_mel_channels (NVIDIA's 80 when absent); its other keys are the vocoder's.</summary>
    internal sealed record ModelMelChannels
    {
        [JsonPropertyName("n_mel_channels")] public int NMelChannels { get; init; } = 80;
        [JsonExtensionData] public Dictionary<string, JsonElement> Others { get; init; } = [];
    }
}
