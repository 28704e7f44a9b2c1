using System.Text.Json;
using System.Text.Json.Serialization;
using WaveFlow.Core;
using WaveFlow.Core.IO;
using WaveFlow.Core.Json;

namespace WaveFlow.Evaluation.Gate;

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
            MeanOf(clips.Select(c => c.HnrGapDb)), MeanOf(clips.Select(c => c.TremoloIndex))));

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
