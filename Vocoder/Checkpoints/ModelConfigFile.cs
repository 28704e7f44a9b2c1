using System.Text.Json;
using System.Text.Json.Serialization;
using WaveFlow.Audio;
using WaveFlow.Core.Json;

namespace WaveFlow.Vocoder.Checkpoints;

/// <summary>
/// A sectioned config (NVIDIA's config.json layout) as the vocoder reads it for <c>--config</c>:
/// waveglow_config and data_config key by key. train_config and dist_config are training's, whose
/// reader checks them key by key (every command given a sectioned config checks the whole file);
/// here they must be JSON objects without repeated keys.
/// </summary>
internal sealed record ModelConfigFile
{
    [JsonPropertyName(ConfigSections.Model)] public WaveGlowOptions Model { get; init; } = new();
    [JsonPropertyName(ConfigSections.Data)] public DataOptions Data { get; init; } = new();
    [JsonPropertyName(ConfigSections.Train)] public Dictionary<string, JsonElement> Train { get; init; } = [];
    [JsonPropertyName(ConfigSections.Dist)] public Dictionary<string, JsonElement> Dist { get; init; } = [];

    /// <summary>The model and mel settings of a sectioned config, validated; errors name <paramref name="source"/>.</summary>
    public static (WaveGlowOptions Options, MelOptions Mel) Parse(byte[] utf8, string source)
    {
        var file = StrictJson.Parse<ModelConfigFile>(utf8, source);
        file.Model.Validate(source, ConfigSections.Model);
        return (file.Model, file.Data.Mel(source, file.Model.NMelChannels));
    }
}
