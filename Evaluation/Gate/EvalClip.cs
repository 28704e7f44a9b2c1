using System.Text.Json;
using System.Text.Json.Serialization;
using WaveFlow.Core;
using WaveFlow.Core.IO;
using WaveFlow.Core.Json;

namespace WaveFlow.Evaluation.Gate;

/// <summary>
/// Errors of one clip's resynthesis (all lower-is-better except <see cref="HnrDb"/>, which is
/// reported, not gated). The prosody fields are null in baselines written before they existed
/// (those load and gate the spectral metrics only), and F0 RMSE is null when no frame is voiced
/// in both the output and the recording.
/// </summary>
internal sealed record EvalClip(
    [property: JsonPropertyName("clip")] string Clip,
    [property: JsonPropertyName("seconds")] double Seconds,
    [property: JsonPropertyName("logMelL1")] double LogMelL1,
    [property: JsonPropertyName("mcd")] double Mcd,
    [property: JsonPropertyName("spectralConvergence")] double SpectralConvergence,
    [property: JsonPropertyName("logSpectralDistance")] double LogSpectralDistance,
    [property: JsonPropertyName("f0RmseCents")] double? F0RmseCents = null,
    [property: JsonPropertyName("voicingError")] double? VoicingError = null,
    [property: JsonPropertyName("hnrDb")] double? HnrDb = null,
    [property: JsonPropertyName("hnrGapDb")] double? HnrGapDb = null,
    [property: JsonPropertyName("tremoloIndex")] double? TremoloIndex = null)
{
    /// <summary>The gateable metrics' JSON names, in a fixed order.</summary>
    public static readonly IReadOnlyList<string> GatedNames =
        ["logMelL1", "mcd", "spectralConvergence", "logSpectralDistance", "f0RmseCents", "voicingError", "hnrGapDb", "tremoloIndex"];

    /// <summary>The gated metrics by JSON name, in <see cref="GatedNames"/>' order; null where not measured.</summary>
    [JsonIgnore]
    public IReadOnlyList<(string Name, double? Value)> Metrics =>
        [("logMelL1", LogMelL1), ("mcd", Mcd), ("spectralConvergence", SpectralConvergence), ("logSpectralDistance", LogSpectralDistance),
         ("f0RmseCents", F0RmseCents), ("voicingError", VoicingError), ("hnrGapDb", HnrGapDb), ("tremoloIndex", TremoloIndex)];
}
