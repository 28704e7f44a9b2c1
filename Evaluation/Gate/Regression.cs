using System.Globalization;
using WaveFlow.Core;

namespace WaveFlow.Evaluation.Gate;

/// <summary>One metric of one clip that got worse than the baseline allows.</summary>
internal sealed record Regression(string Clip, string Metric, double Baseline, double Current, double Tolerance)
{
    public double RelativeChange => Baseline == 0 ? double.PositiveInfinity : (Current - Baseline) / Baseline;

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{Clip}: {Metric} {Current:0.####} > baseline {Baseline:0.####} ({RelativeChange:+0.0%;-0.0%}, tolerance {Tolerance:0.#%})");
}
