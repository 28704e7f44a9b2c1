using System.Text.Json;
using System.Text.Json.Serialization;
using WaveFlow.Core;
using WaveFlow.Core.IO;
using WaveFlow.Core.Json;

namespace WaveFlow.Evaluation.Study;

/// <summary>
/// The layout of a study:
/// <code>
/// STUDY/study.json              what was asked (configs, data, budget, seed); a rerun must ask the same
/// STUDY/held-out.txt            the clips every run is scored on (a filelist; never trained on)
/// STUDY/train-pool.txt          the rest of the corpus: every run's --data
/// STUDY/configs/NAME.json       each config as trained (checkpoint/validation cadence set by the study)
/// STUDY/runs/NAME/              each run's folder (waveflow train's layout) and budget.json
/// STUDY/curves.csv              every kept checkpoint scored on the held-out clips
/// STUDY/compare/                waveflow compare of the final checkpoints, Griffin-Lim and the recordings
/// STUDY/report.md, *.svg        the learning curves and the final table
/// </code>
/// </summary>
internal sealed class StudyFolder(string root)
{
    public string Root { get; } = Path.GetFullPath(root);
    public string ManifestPath => Path.Combine(Root, "study.json");
    public string HeldOutPath => Path.Combine(Root, "held-out.txt");
    public string TrainPoolPath => Path.Combine(Root, "train-pool.txt");
    public string ConfigPath(string run) => Path.Combine(Root, "configs", run + ".json");
    public string RunPath(string run) => Path.Combine(Root, "runs", run);
    public string BudgetPath(string run) => Path.Combine(RunPath(run), "budget.json");
    public string CurvesPath => Path.Combine(Root, "curves.csv");
    public string ComparePath => Path.Combine(Root, "compare");
    public string ReportPath => Path.Combine(Root, "report.md");
}

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

/// <summary>How much of its budget a run has used (budget.json in the run folder): wall-clock
/// seconds spent training in this study, the iteration reached, and whether the wall-clock budget
/// ended it (<see cref="Finished"/>; reaching the iteration cap is judged against the cap asked now).</summary>
internal sealed record RunBudget(
    [property: JsonPropertyName("seconds")] double Seconds,
    [property: JsonPropertyName("iteration")] long Iteration,
    [property: JsonPropertyName("finished")] bool Finished)
{
    public static RunBudget Read(string path)
    {
        if (!File.Exists(path)) return new RunBudget(0, 0, false);
        return StrictJson.Load<RunBudget>(path);
    }

    public void Write(string path) => AtomicFile.WriteAllBytes(path, JsonSerializer.SerializeToUtf8Bytes(this));
}
