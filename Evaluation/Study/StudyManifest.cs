using System.Text.Json;
using System.Text.Json.Serialization;
using WaveFlow.Core;
using WaveFlow.Core.IO;
using WaveFlow.Core.Json;

namespace WaveFlow.Evaluation.Study;

/// <summary>What a study was asked to do (study.json): a rerun with other settings is refused, so a
/// resumed study stays one experiment.</summary>
internal sealed record StudyManifest(
    [property: JsonPropertyName("format")] string Format,
    [property: JsonPropertyName("configs")] IReadOnlyList<string> Configs,
    [property: JsonPropertyName("data")] string Data,
    [property: JsonPropertyName("iterations")] long Iterations,
    [property: JsonPropertyName("minutes")] double? Minutes,
    [property: JsonPropertyName("every")] int Every,
    [property: JsonPropertyName("heldOut")] int HeldOut,
    [property: JsonPropertyName("seed")] long Seed,
    [property: JsonPropertyName("cropSeconds")] double CropSeconds)
{
    public const string FormatName = "waveflow-study";
    static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static StudyManifest From(StudyOptions o) => new(FormatName,
        o.Configs.Select(StudyOptions.RunName).ToList(), Path.GetFullPath(o.Data), o.Iterations, o.Minutes, o.Every, o.HeldOut, o.Seed, o.CropSeconds);

    public void Write(string path) => AtomicFile.WriteAllBytes(path, JsonSerializer.SerializeToUtf8Bytes(this, Indented));

    public static StudyManifest Read(string path)
    {
        var m = StrictJson.Load<StudyManifest>(path);
        if (m.Format != FormatName) throw WaveFlowException.ForFile(path, $"not a {FormatName} manifest (format \"{m.Format}\")");
        return m;
    }

    /// <summary>
    /// Differences from <paramref name="other"/> that make it another experiment, in words (empty
    /// when the same study). The budget (--iterations, --minutes) and the scoring crop may change
    /// between invocations, as waveflow train's --iterations may: every run is trained to the new
    /// cap and scored up to it.
    /// </summary>
    public IReadOnlyList<string> Differences(StudyManifest other)
    {
        var d = new List<string>();
        if (!Configs.SequenceEqual(other.Configs)) d.Add($"configs {string.Join(",", other.Configs)} (was {string.Join(",", Configs)})");
        if (Data != other.Data) d.Add($"data {other.Data} (was {Data})");
        if (Every != other.Every) d.Add($"every {other.Every} (was {Every})");
        if (HeldOut != other.HeldOut) d.Add($"held-out {other.HeldOut} (was {HeldOut})");
        if (Seed != other.Seed) d.Add($"seed {other.Seed} (was {Seed})");
        return d;
    }
}
