using System.Text.Json;
using System.Text.Json.Serialization;
using WaveFlow.Core;
using WaveFlow.Core.IO;
using WaveFlow.Core.Json;

namespace WaveFlow.Evaluation.Gate;

/// <summary>
/// The settings that must match for two evaluations to be comparable: the same clips, cut the same
/// way, resynthesised from the same noise.
/// </summary>
internal sealed record EvalSettings(
    [property: JsonPropertyName("clipCount")] int ClipCount,
    [property: JsonPropertyName("cropSeconds")] double CropSeconds,
    [property: JsonPropertyName("seed")] long Seed,
    [property: JsonPropertyName("sigma")] double Sigma,
    [property: JsonPropertyName("samplingRate")] int SamplingRate);
