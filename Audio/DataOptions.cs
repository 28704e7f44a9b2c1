using System.Text.Json;
using System.Text.Json.Serialization;
using WaveFlow.Core;
using WaveFlow.Core.Json;

namespace WaveFlow.Audio;

/// <summary>
/// NVIDIA's <c>data_config</c> section: the training data's keys (below) and the mel front end's
/// (<see cref="MelOptions"/>: sampling_rate, filter_length, ...). One JSON object, two records:
/// the mel keys land in <see cref="MelKeys"/> as read and become a <see cref="MelOptions"/> through
/// the same strict reader (<see cref="Mel"/>), so a key neither record declares is refused there.
/// </summary>
internal sealed record DataOptions
{
    /// <summary>Samples per training crop; shorter clips are zero-padded at the end.</summary>
    [JsonPropertyName("segment_length")] public int SegmentLength { get; init; } = 16000;
    /// <summary>NVIDIA's filelist (one wav path per line), used when --data is not given.
    /// Relative paths are resolved against the config file's folder.</summary>
    [JsonPropertyName("training_files")] public string TrainingFiles { get; init; } = "";

    /// <summary>The section's other keys as read (the mel keys); empty when built in code. Not part
    /// of equality: <see cref="Mel"/> turns them into the settings that count.</summary>
    [JsonExtensionData, JsonInclude]
    internal Dictionary<string, JsonElement> MelKeys { get; init; } = [];

    private static readonly string[] OwnKeys = ["segment_length", "training_files"];

    /// <summary>
    /// The mel settings of this section, validated. n_mel_channels, when the section leaves it
    /// out, is the model's (NVIDIA keeps it in waveglow_config only; Tacotron2 in data_config too,
    /// where it must then agree). Errors name <paramref name="source"/> and data_config.key
    /// (the key alone for a section stored alone: <paramref name="modelMelChannels"/> null).
    /// </summary>
    public MelOptions Mel(string source, int? modelMelChannels)
    {
        string? section = modelMelChannels is null ? null : ConfigSections.Data;
        var mel = StrictJson.Read<MelOptions>(StrictJson.Object(MelKeys), source, section, OwnKeys);
        if (modelMelChannels is int model)
        {
            if (!MelKeys.ContainsKey("n_mel_channels"))
                mel = mel with { NMelChannels = model };
            else if (mel.NMelChannels != model)
                throw new WaveFlowException($"{source}: data_config.n_mel_channels ({mel.NMelChannels}) differs from waveglow_config.n_mel_channels ({model})");
        }
        mel.Validate(source, section);
        return mel;
    }

    public void Validate(string source, int hopLength, int nGroup)
    {
        if (SegmentLength < hopLength || SegmentLength % nGroup != 0)
            throw new WaveFlowException($"{source}: data_config.segment_length must be a multiple of n_group ({nGroup}) and at least hop_length ({hopLength}), got {SegmentLength}");
    }

    public bool Equals(DataOptions? other) =>
        other is not null && SegmentLength == other.SegmentLength && TrainingFiles == other.TrainingFiles;

    public override int GetHashCode() => HashCode.Combine(SegmentLength, TrainingFiles);
}
