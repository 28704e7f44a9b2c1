using System.Globalization;
using WaveFlow.Core;

namespace WaveFlow.Evaluation.Gate;

/// <summary>
/// The regression gate: every gated metric of every clip (and of the mean) may exceed the baseline
/// by at most its tolerance relative to it (0.05 = 5 %); a metric can have its own tolerance.
/// Errors are lower-is-better, so improvements pass. A metric the baseline lacks (a baseline
/// written before the prosody metrics existed, or an F0 error that was n/a) is reported, not
/// gated; one the baseline has and this evaluation lacks (no frame voiced any more) regresses.
/// Comparing evaluations made with different settings would be meaningless, so that is an input error.
/// </summary>
internal static class EvalBaseline
{
    public static IReadOnlyList<Regression> Compare(EvalReport current, EvalReport baseline, double tolerance, string baselinePath) =>
        Compare(current, baseline, tolerance, new Dictionary<string, double>(), baselinePath);

    /// <summary>The gate with tolerances of single metrics (JSON names, e.g. f0RmseCents) overriding the general one.</summary>
    public static IReadOnlyList<Regression> Compare(EvalReport current, EvalReport baseline, double tolerance,
        IReadOnlyDictionary<string, double> perMetric, string baselinePath)
    {
        if (!(tolerance >= 0)) throw new WaveFlowException($"--tolerance {tolerance}: must be 0 or more (a fraction: 0.05 = 5 %)");
        foreach (var (name, t) in perMetric)
        {
            if (!EvalClip.GatedNames.Contains(name)) throw new WaveFlowException($"--tolerance {name}={t}: unknown metric (known: {string.Join(", ", EvalClip.GatedNames)})");
            if (!(t >= 0)) throw new WaveFlowException($"--tolerance {name}={t}: must be 0 or more");
        }
        if (current.Settings != baseline.Settings)
            throw WaveFlowException.ForFile(baselinePath, $"made with other settings ({Describe(baseline.Settings)}) than this evaluation ({Describe(current.Settings)}): not comparable");

        var now = current.Clips.ToDictionary(c => c.Clip);
        var regressions = new List<Regression>();
        foreach (var b in baseline.Clips.Append(baseline.Mean))
        {
            var c = b.Clip == "mean" ? current.Mean : now.GetValueOrDefault(b.Clip)
                ?? throw WaveFlowException.ForFile(baselinePath, $"clip {b.Clip} is not in this evaluation's clip set: not comparable");
            foreach (var ((name, before), (_, after)) in b.Metrics.Zip(c.Metrics))
            {
                if (before is not { } was) continue;                                   // not in the baseline: reported only
                double tol = perMetric.GetValueOrDefault(name, tolerance);
                double now_ = after ?? double.NaN;                                     // measured before, not now: regressed
                // NaN (a broken model) always regresses
                if (double.IsNaN(now_) || now_ > was * (1 + tol) + 1e-12)
                    regressions.Add(new Regression(b.Clip, name, was, now_, tol));
            }
        }
        return regressions;
    }

    /// <summary>Metrics this evaluation measured that the baseline lacks (reported, not gated).</summary>
    public static IReadOnlyList<string> Ungated(EvalReport baseline) =>
        baseline.Mean.Metrics.Where(m => m.Value is null).Select(m => m.Name).ToList();

    static string Describe(EvalSettings s) => string.Create(CultureInfo.InvariantCulture,
        $"{s.ClipCount} clips, crop {s.CropSeconds} s, seed {s.Seed}, sigma {s.Sigma}, {s.SamplingRate} Hz");
}
