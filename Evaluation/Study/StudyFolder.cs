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
