using System.Text.Json;
using System.Text.Json.Serialization;
using WaveFlow.Core;
using WaveFlow.Core.IO;
using WaveFlow.Core.Json;

namespace WaveFlow.Evaluation.Gate;

/// <summary>
/// Errors of one clip's resynthesis (all lower-is-better except <see cref="HnrDb"/>,
/// <see cref="F0Coverage"/>, the frame counts and the lag, which are reported, not gated; coverage
/// is gated as its complement <see cref="VoicedToUnvoiced"/>). The prosody fields are null in
/// baselines written before they existed (those load and gate what they have), and the F0 errors
/// and the wobble are null when no frame (no long enough stretch) is voiced in both.
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
    [property: JsonPropertyName("tremoloIndex")] double? TremoloIndex = null,
    [property: JsonPropertyName("f0GrossErrorRate")] double? F0GrossErrorRate = null,
    [property: JsonPropertyName("f0FineRmseCents")] double? F0FineRmseCents = null,
    [property: JsonPropertyName("pitchWobbleCents")] double? PitchWobbleCents = null,
    [property: JsonPropertyName("voicedToUnvoiced")] double? VoicedToUnvoiced = null,
    [property: JsonPropertyName("unvoicedToVoiced")] double? UnvoicedToVoiced = null,
    [property: JsonPropertyName("f0Coverage")] double? F0Coverage = null,
    [property: JsonPropertyName("f0Frames")] int? F0Frames = null,
    [property: JsonPropertyName("wobbleFrames")] int? WobbleFrames = null,
    [property: JsonPropertyName("tremoloLagMs")] double? TremoloLagMs = null)
{
    /// <summary>The gateable metrics' JSON names, in a fixed order.</summary>
    public static readonly IReadOnlyList<string> GatedNames =
        ["logMelL1", "mcd", "spectralConvergence", "logSpectralDistance", "f0RmseCents", "voicingError", "hnrGapDb", "tremoloIndex",
         "f0GrossErrorRate", "f0FineRmseCents", "pitchWobbleCents", "voicedToUnvoiced", "unvoicedToVoiced"];

    /// <summary>The gated metrics by JSON name, in <see cref="GatedNames"/>' order; null where not measured.</summary>
    [JsonIgnore]
    public IReadOnlyList<(string Name, double? Value)> Metrics =>
        [("logMelL1", LogMelL1), ("mcd", Mcd), ("spectralConvergence", SpectralConvergence), ("logSpectralDistance", LogSpectralDistance),
         ("f0RmseCents", F0RmseCents), ("voicingError", VoicingError), ("hnrGapDb", HnrGapDb), ("tremoloIndex", TremoloIndex),
         ("f0GrossErrorRate", F0GrossErrorRate), ("f0FineRmseCents", F0FineRmseCents), ("pitchWobbleCents", PitchWobbleCents),
         ("voicedToUnvoiced", VoicedToUnvoiced), ("unvoicedToVoiced", UnvoicedToVoiced)];
}

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

/// <summary>The JSON <c>waveflow eval</c> writes (format <c>waveflow-eval</c>, version 1).</summary>
internal sealed record EvalReport(
    [property: JsonPropertyName("format")] string Format,
    [property: JsonPropertyName("version")] int Version,
    [property: JsonPropertyName("checkpoint")] string Checkpoint,
    [property: JsonPropertyName("checkpointKind")] string? CheckpointKind,
    [property: JsonPropertyName("step")] long Step,
    [property: JsonPropertyName("data")] string Data,
    [property: JsonPropertyName("settings")] EvalSettings Settings,
    [property: JsonPropertyName("clips")] IReadOnlyList<EvalClip> Clips,
    [property: JsonPropertyName("mean")] EvalClip Mean)
{
    public const string FormatName = "waveflow-eval";
    static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static EvalReport Create(string checkpoint, string? kind, long step, string data, EvalSettings settings, IReadOnlyList<EvalClip> clips) =>
        new(FormatName, 1, checkpoint, kind, step, data, settings, clips, new EvalClip("mean",
            clips.Sum(c => c.Seconds), clips.Average(c => c.LogMelL1), clips.Average(c => c.Mcd),
            clips.Average(c => c.SpectralConvergence), clips.Average(c => c.LogSpectralDistance),
            MeanOf(clips.Select(c => c.F0RmseCents)), MeanOf(clips.Select(c => c.VoicingError)), MeanOf(clips.Select(c => c.HnrDb)),
            MeanOf(clips.Select(c => c.HnrGapDb)), MeanOf(clips.Select(c => c.TremoloIndex)),
            MeanOf(clips.Select(c => c.F0GrossErrorRate)), MeanOf(clips.Select(c => c.F0FineRmseCents)), MeanOf(clips.Select(c => c.PitchWobbleCents)),
            MeanOf(clips.Select(c => c.VoicedToUnvoiced)), MeanOf(clips.Select(c => c.UnvoicedToVoiced)), MeanOf(clips.Select(c => c.F0Coverage)),
            SumOf(clips.Select(c => c.F0Frames)), SumOf(clips.Select(c => c.WobbleFrames)), MeanOf(clips.Select(c => c.TremoloLagMs))));

    static int? SumOf(IEnumerable<int?> values)
    {
        var v = values.Where(x => x.HasValue).Select(x => x!.Value).ToList();
        return v.Count == 0 ? null : v.Sum();
    }

    /// <summary>The mean over the clips where a value exists (null when none has one).</summary>
    static double? MeanOf(IEnumerable<double?> values)
    {
        var v = values.Where(x => x.HasValue).Select(x => x!.Value).ToList();
        return v.Count == 0 ? null : v.Average();
    }

    public string ToJson() => JsonSerializer.Serialize(this, Indented);

    public void Write(string path) => AtomicFile.WriteAllBytes(path, System.Text.Encoding.UTF8.GetBytes(ToJson()));

    public static EvalReport Read(string path)
    {
        if (!File.Exists(path)) throw WaveFlowException.ForFile(path, "not found");
        return Check(StrictJson.Load<EvalReport>(path), path);
    }

    /// <summary>Reads and checks the text of an eval JSON; every problem names <paramref name="path"/>.</summary>
    public static EvalReport Parse(string json, string path) => Check(StrictJson.Parse<EvalReport>(json, path), path);

    private static EvalReport Check(EvalReport r, string path)
    {
        if (r.Format != FormatName) throw WaveFlowException.ForFile(path, $"format is \"{r.Format}\", expected \"{FormatName}\" (a file written by waveflow eval)");
        if (r.Version != 1) throw WaveFlowException.ForFile(path, $"version {r.Version} is not supported (only 1)");
        if (r.Settings is null || r.Clips is null || r.Clips.Count == 0 || r.Clips.Any(c => c is null || string.IsNullOrEmpty(c.Clip)))
            throw WaveFlowException.ForFile(path, "lacks settings or clips");
        if (r.Mean is null || r.Mean.Clip != "mean") throw WaveFlowException.ForFile(path, "lacks the \"mean\" entry (clip \"mean\")");
        if (r.Clips.Select(c => c.Clip).Distinct().Count() != r.Clips.Count) throw WaveFlowException.ForFile(path, "names a clip twice");
        return r;
    }
}
