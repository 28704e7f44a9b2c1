using System.Text.Json.Serialization;
using WaveFlow.Audio;
using WaveFlow.Core;

namespace WaveFlow.Training.Config;

/// <summary>
/// Our part of NVIDIA's <c>data_config</c> section; the same section also holds the mel keys
/// of <c>MelOptions</c> (sampling_rate, filter_length, ...), read separately.
/// </summary>
internal sealed record DataOptions
{
    /// <summary>Samples per training crop; shorter clips are zero-padded at the end.</summary>
    [JsonPropertyName("segment_length")] public int SegmentLength { get; init; } = 16000;
    /// <summary>NVIDIA's filelist (one wav path per line), used when --data is not given.
    /// Relative paths are resolved against the config file's folder.</summary>
    [JsonPropertyName("training_files")] public string TrainingFiles { get; init; } = "";

    public void Validate(string source, int hopLength, int nGroup)
    {
        if (SegmentLength < hopLength || SegmentLength % nGroup != 0)
            throw new WaveFlowException($"{source}: data_config.segment_length must be a multiple of n_group ({nGroup}) and at least hop_length ({hopLength}), got {SegmentLength}");
    }
}
