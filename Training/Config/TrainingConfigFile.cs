using System.Text.Json.Serialization;
using WaveFlow.Audio;
using WaveFlow.Vocoder;

namespace WaveFlow.Training.Config;

/// <summary>
/// A training config file as read: NVIDIA's four sections, each a record read key by key by
/// <see cref="Core.Json.StrictJson"/>. A section left out takes its defaults; a section given as
/// null or anything but a JSON object, or a fifth section, is an error naming the key.
/// </summary>
internal sealed record TrainingConfigFile
{
    [JsonPropertyName(ConfigSections.Train)] public TrainOptions Train { get; init; } = new();
    [JsonPropertyName(ConfigSections.Data)] public DataOptions Data { get; init; } = new();
    [JsonPropertyName(ConfigSections.Dist)] public DistOptions Dist { get; init; } = new();
    [JsonPropertyName(ConfigSections.Model)] public WaveGlowOptions Model { get; init; } = new();
}
