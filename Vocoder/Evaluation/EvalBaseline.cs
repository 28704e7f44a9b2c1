using System.Globalization;

namespace WaveFlow.Vocoder.Evaluation;

/// <summary>One metric of one clip that got worse than the baseline allows.</summary>
public sealed record Regression(string Clip, string Metric, double Baseline, double Current, double Tolerance)
{
    public double RelativeChange => Baseline == 0 ? double.PositiveInfinity : (Current - Baseline) / Baseline;

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{Clip}: {Metric} {Current:0.####} > baseline {Baseline:0.####} ({RelativeChange:+0.0%;-0.0%}, tolerance {Tolerance:0.#%})");
}

/// <summary>
/// The regression gate: every metric of every clip (and of the mean) may exceed the baseline by at
/// most <c>tolerance</c> relative to it (0.05 = 5 %). Errors are lower-is-better, so improvements pass.
/// Comparing evaluations made with different settings would be meaningless, so that is an input error.
/// </summary>
public static class EvalBaseline
{
    public static IReadOnlyList<Regression> Compare(EvalReport current, EvalReport baseline, double tolerance, string baselinePath)
    {
        if (!(tolerance >= 0)) throw new WaveFlowException($"--tolerance {tolerance}: must be 0 or more (a fraction: 0.05 = 5 %)");
        if (current.Settings != baseline.Settings)
            throw WaveFlowException.ForFile(baselinePath, $"made with other settings ({Describe(baseline.Settings)}) than this evaluation ({Describe(current.Settings)}): not comparable");

        var now = current.Clips.ToDictionary(c => c.Clip);
        var regressions = new List<Regression>();
        foreach (var b in baseline.Clips.Append(baseline.Mean))
        {
            var c = b.Clip == "mean" ? current.Mean : now.GetValueOrDefault(b.Clip)
                ?? throw WaveFlowException.ForFile(baselinePath, $"clip {b.Clip} is not in this evaluation's clip set: not comparable");
            foreach (var ((name, before), (_, after)) in b.Metrics.Zip(c.Metrics))
                // NaN (a broken model) always regresses
                if (double.IsNaN(after) || after > before * (1 + tolerance) + 1e-12)
                    regressions.Add(new Regression(b.Clip, name, before, after, tolerance));
        }
        return regressions;
    }

    static string Describe(EvalSettings s) => string.Create(CultureInfo.InvariantCulture,
        $"{s.ClipCount} clips, crop {s.CropSeconds} s, seed {s.Seed}, sigma {s.Sigma}, {s.SamplingRate} Hz");
}
