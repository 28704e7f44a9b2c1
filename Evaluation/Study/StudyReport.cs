using System.Globalization;
using System.Text;
using WaveFlow.Audio;
using WaveFlow.Audio.Dsp.Prosody;
using WaveFlow.Core;
using WaveFlow.Core.IO;
using WaveFlow.Core.Imaging;
using WaveFlow.Evaluation.Comparison;
using WaveFlow.Training.Loop;
using WaveFlow.Training.Run;
using WaveFlow.Vocoder;
using WaveFlow.Vocoder.Checkpoints;

namespace WaveFlow.Evaluation.Study;

/// <summary>
/// The study's last step: compare on the held-out clips (each run's last checkpoint up to the cap,
/// Griffin-Lim, the recordings) into STUDY/compare/, then STUDY/report.md with the final table
/// and one SVG chart per metric against iteration (STUDY/curve-*.svg; Griffin-Lim dashed).
/// </summary>
internal static class StudyReport
{
    static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>The metrics charted against iteration: CSV column, chart title, axis label, the compare mean it matches.</summary>
    static readonly (string Key, string Title, string Axis, Func<CurvePoint, double?> Value, Func<ClipScore, double?>? Reference)[] Charts =
    [
        ("nll", "NLL of the held-out recordings (σ = 1)", "nats per sample", p => p.Nll, null),
        ("trainer-validation-nll", "Trainer's validation NLL (each run's own validation clips)", "nats per sample", p => p.TrainerValidationNll, null),
        ("log-mel-l1", "Log-mel L1 of resynthesis (σ 0.6)", "log-mel L1", p => p.LogMelL1, s => s.LogMelL1),
        ("voicing-error", "Voicing error against the recording", "share of frames", p => p.VoicingError, s => s.VoicingError),
        ("hnr", "HNR where the recording is voiced", "dB", p => p.HnrDb, s => s.HnrDb),
        ("f0-rmse", "F0 RMSE over frames voiced in both", "cents", p => p.F0RmseCents, s => s.F0RmseCents),
        ("f0-gross", "F0 gross errors (more than 20 % off) over frames voiced in both", "share of frames", p => p.F0GrossErrorRate, s => s.F0GrossErrorRate),
        ("f0-fine", "F0 fine RMSE (gross errors set aside)", "cents", p => p.F0FineRmseCents, s => s.F0FineRmseCents),
        ("pitch-wobble", "Pitch wobble against the recording", "cents", p => p.PitchWobbleCents, s => s.PitchWobbleCents),
        ("f0-coverage", "Coverage: share of the recording's voiced frames the output voices", "share of frames", p => p.F0Coverage, s => s.F0Coverage),
        ("tremolo", "Tremolo index against the recording", "depth (0..1)", p => p.TremoloIndex, s => s.TremoloIndex),
    ];

    public static ComparisonResult Compare(StudyOptions options, StudyFolder folder, TorchSharp.torch.Device device, Action<string, int, int>? progress = null)
    {
        var systems = new List<IClipRenderer>();
        try
        {
            MelOptions? mel = null;
            foreach (var run in options.Configs.Select(StudyOptions.RunName))
            {
                var points = StudyScoring.Points(folder, run, options.Iterations);
                if (points.Count == 0) throw WaveFlowException.ForFile(folder.RunPath(run), "has no checkpoint to compare");
                var path = new RunFolder(folder.RunPath(run)).ModelPath(points[^1]);
                var renderer = new ModelRenderer(run, path, Synthesizer.Load(path, device), StudyScoring.Sigma);
                systems.Add(renderer);
                mel ??= renderer.Loaded.Mel;
            }
            var clips = StudyScoring.HeldOutClips(folder, options, mel!);
            systems.Add(new GriffinLimRenderer(mel!));
            systems.Add(new GroundTruthRenderer());
            var settings = new CompareSettings(StudyScoring.Sigma, (int)options.Seed, "WaveFlow block-count study",
                $"{clips.Count} held-out clips of {options.Data}, centred {options.CropSeconds.ToString(Inv)} s");
            return ComparisonRunner.Run(clips, systems, mel!, folder.ComparePath, settings, progress);
        }
        finally
        {
            foreach (var s in systems) s.Dispose();
        }
    }

    /// <summary>Writes report.md and the charts; returns the report's path.</summary>
    public static string Write(StudyOptions options, StudyFolder folder, IReadOnlyList<CurvePoint> curves, ComparisonResult compare)
    {
        var runs = options.Configs.Select(StudyOptions.RunName).ToList();
        var means = compare.Content.Means();
        var griffinLim = means.FirstOrDefault(m => m.System == GriffinLimRenderer.Name);
        var sb = new StringBuilder();
        sb.Append("# Block-count study\n\n");
        sb.Append(Inv, $"Configs: {string.Join(", ", runs)}. Data: `{options.Data}`, {options.HeldOut} clips held out of every run's training ");
        sb.Append(Inv, $"(drawn with seed {options.Seed}; `held-out.txt`), scored on their centred {options.CropSeconds} s. ");
        sb.Append(Inv, $"Budget per run: {options.Iterations} iterations{(options.Minutes is { } minutes ? $" or {minutes} minutes of wall clock, whichever ends first" : "")}; a checkpoint every {options.Every}.\n\n");

        sb.Append("## Final table (last checkpoint of each run, held-out clips)\n\n");
        sb.Append("| system | iteration | NLL | log-mel L1 | MCD (dB) | F0 RMSE (cents) | F0 gross | F0 fine (cents) | pitch wobble (cents) | coverage | voicing error | HNR (dB) | HNR gap (dB) | tremolo |\n");
        sb.Append("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n");
        foreach (var m in means)
        {
            string it = runs.Contains(m.System) ? curves.Where(p => p.Run == m.System).Select(p => p.Iteration).DefaultIfEmpty().Max().ToString(Inv) : "";
            sb.Append(Inv, $"| {m.System} | {it} | {F(m.Nll, "0.000")} | {F(m.LogMelL1, "0.000")} | {F(m.Mcd, "0.00")} | {NA(m, m.F0RmseCents, "0.0")}{(m.F0MissingClips is > 0 and var k ? $" ({k} clips n/a)" : "")} | {NA(m, m.F0GrossErrorRate, "0.000")} | {NA(m, m.F0FineRmseCents, "0.0")} | {NA(m, m.PitchWobbleCents, "0.0")} | {F(m.F0Coverage, "0.000")} | {F(m.VoicingError, "0.000")} | {F(m.HnrDb, "0.0")} | {F(m.HnrGapDb, "0.0")} | {F(m.TremoloIndex, "0.000")} |\n");
        }
        sb.Append("\nThe listening page, per-clip scores and pitch plots: `compare/index.html`; numbers: `compare/metrics.json`, `curves.csv`.\n\n");

        sb.Append("## Learning curves\n\n");
        foreach (var (key, title, axis, value, reference) in Charts)
        {
            var series = runs.Select(r => new ChartSeries(r, curves.Where(p => p.Run == r).OrderBy(p => p.Iteration)
                .Select(p => ((double)p.Iteration, value(p) ?? double.NaN)).ToList())).ToList();
            if (series.All(s => s.Points.All(p => double.IsNaN(p.Item2)))) { sb.Append(Inv, $"*{title}*: no values (n/a at every point).\n\n"); continue; }
            if (reference is not null && griffinLim is not null && reference(griffinLim) is { } gl && curves.Count > 0)
                series.Add(new ChartSeries("griffin-lim", [(curves.Min(p => p.Iteration), gl), (curves.Max(p => p.Iteration), gl)], Dashed: true));
            string file = $"curve-{key}.svg";
            AtomicFile.WriteAllBytes(Path.Combine(folder.Root, file), Encoding.UTF8.GetBytes(SvgLineChart.Render(title, "iteration", axis, series)));
            sb.Append(Inv, $"![{title}]({file})\n\n");
        }

        sb.Append("## Every point\n\n| run | iteration | trainer val. NLL | NLL | log-mel L1 | MCD | F0 RMSE | F0 gross | F0 fine | pitch wobble | coverage | voicing error | HNR | HNR gap | tremolo |\n");
        sb.Append("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n");
        foreach (var p in curves.OrderBy(p => runs.IndexOf(p.Run)).ThenBy(p => p.Iteration))
            sb.Append(Inv, $"| {p.Run} | {p.Iteration} | {F(p.TrainerValidationNll, "0.000")} | {F(p.Nll, "0.000")} | {F(p.LogMelL1, "0.000")} | {F(p.Mcd, "0.00")} | {(p.F0RmseCents is null ? "n/a" : F(p.F0RmseCents, "0.0"))} | {F(p.F0GrossErrorRate, "0.000")} | {F(p.F0FineRmseCents, "0.0")} | {F(p.PitchWobbleCents, "0.0")} | {F(p.F0Coverage, "0.000")} | {F(p.VoicingError, "0.000")} | {F(p.HnrDb, "0.0")} | {F(p.HnrGapDb, "0.0")} | {F(p.TremoloIndex, "0.000")} |\n");
        AtomicFile.WriteAllBytes(folder.ReportPath, Encoding.UTF8.GetBytes(sb.ToString()));
        return folder.ReportPath;
    }

    static string F(double? v, string format) => v?.ToString(format, Inv) ?? "—";

    /// <summary>A measure against the recordings that has nothing to be measured on: "n/a"; without recordings: "—".</summary>
    static string NA(ClipScore m, double? v, string format) => v is null && m.VoicingError is not null ? "n/a" : F(v, format);
}
