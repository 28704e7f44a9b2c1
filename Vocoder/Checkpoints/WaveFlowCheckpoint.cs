using System.Globalization;
using System.Text.Json;
using WaveFlow.Audio;
using WaveFlow.Core;
using WaveFlow.Core.Json;
using WaveFlow.Core.Serialization;

namespace WaveFlow.Vocoder.Checkpoints;

/// <summary>
/// Our checkpoint: a safetensors file with NVIDIA's state-dict names whose __metadata__ describes
/// everything needed to rebuild the model, so it loads with no config file:
/// format = "waveflow", version, waveglow_config (JSON, NVIDIA's keys), mel_config (JSON, NVIDIA's
/// data_config keys), step, plus any extra strings the caller adds. Written atomically.
/// </summary>
internal static class WaveFlowCheckpoint
{
    public const string Format = "waveflow";
    public const int Version = 1;

    /// <summary>Writes the model's weights (float32, or float16 when <paramref name="half"/>) and its description.</summary>
    public static void Save(string path, WaveGlow model, WaveGlowOptions options, MelOptions mel, long step,
        IReadOnlyDictionary<string, string>? extra = null, bool half = false)
    {
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        if (extra is not null) foreach (var (k, v) in extra) metadata[k] = v;
        metadata["format"] = Format;
        metadata["version"] = Version.ToString(CultureInfo.InvariantCulture);
        metadata["waveglow_config"] = options.ToJson();
        metadata["mel_config"] = JsonSerializer.Serialize(mel);
        metadata["step"] = step.ToString(CultureInfo.InvariantCulture);
        Safetensors.Write(path, StateDict.Export(model), metadata, half);
    }

    /// <summary>True when the metadata says this is one of ours.</summary>
    public static bool IsOurs(Safetensors.Contents contents) =>
        contents.Metadata.TryGetValue("format", out var f) && f == Format;

    /// <summary>The settings stored in one of our checkpoints; errors name the file and the key.</summary>
    public static (WaveGlowOptions Options, MelOptions Mel, long Step) ReadDescription(Safetensors.Contents contents, string path)
    {
        string Get(string key) => contents.Metadata.TryGetValue(key, out var v) ? v
            : throw WaveFlowException.ForFile(path, $"checkpoint metadata lacks \"{key}\"");
        if (!int.TryParse(Get("version"), CultureInfo.InvariantCulture, out int version) || version < 1 || version > Version)
            throw WaveFlowException.ForFile(path, $"checkpoint format version {Get("version")} is not supported (this build reads 1..{Version})");
        // Each entry is one section's JSON, read as the same section of a config file is.
        var options = StrictJson.Parse<WaveGlowOptions>(Get("waveglow_config"), path, "waveglow_config");
        options.Validate(path, "waveglow_config");
        var mel = StrictJson.Parse<MelOptions>(Get("mel_config"), path, "mel_config");
        mel.Validate(path, "mel_config");
        if (!long.TryParse(Get("step"), CultureInfo.InvariantCulture, out long step))
            throw WaveFlowException.ForFile(path, $"checkpoint metadata step \"{Get("step")}\" is not an integer");
        return (options, mel, step);
    }
}
