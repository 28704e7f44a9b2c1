using WaveFlow.Core;
using WaveFlow.Vocoder;

namespace WaveFlow.Training.Loop;

/// <summary>
/// Dynamic loss scaling for float16 training (what PyTorch's GradScaler does). float16's
/// smallest normal value is 6.1e-5, and many of WaveGlow's gradients are far smaller: multiplying
/// the loss by a large scale before backward lifts them into range, and the gradients are divided
/// by the same scale before the optimizer sees them. Too large a scale overflows to ∞; then the
/// step is skipped and the scale halved. After <see cref="GrowthInterval"/> good steps in a row it
/// doubles again, so it hovers just below the largest scale that does not overflow.
/// bfloat16 has float32's exponent range and needs none of this.
/// </summary>
internal sealed class LossScaler
{
    /// <summary>GradScaler's defaults: 2^16, ×2 every 2000 good steps, ×0.5 on overflow.</summary>
    public const double DefaultInitialScale = 65536;
    public const int DefaultGrowthInterval = 2000;
    /// <summary>At or below this scale an overflow is not a scaling problem: the gradient itself
    /// is not finite, and the step counts as a non-finite gradient.</summary>
    public const double MinScale = 1.0;

    public LossScaler(double initialScale = DefaultInitialScale, int growthInterval = DefaultGrowthInterval)
    {
        if (!(initialScale >= MinScale) || !double.IsFinite(initialScale))
            throw new ArgumentOutOfRangeException(nameof(initialScale), initialScale, $"must be finite and ≥ {MinScale}");
        if (growthInterval < 1) throw new ArgumentOutOfRangeException(nameof(growthInterval), growthInterval, "must be ≥ 1");
        Scale = initialScale;
        GrowthInterval = growthInterval;
    }

    /// <summary>What the loss is multiplied by before backward.</summary>
    public double Scale { get; private set; }

    public int GrowthInterval { get; }

    /// <summary>Finite steps since the last overflow or growth.</summary>
    public int GoodSteps { get; private set; }

    /// <summary>True when an overflow at the current scale can still be cured by scaling down.</summary>
    public bool CanBackOff => Scale > MinScale;

    /// <summary>Records one step's outcome: halves the scale on overflow (not below
    /// <see cref="MinScale"/>), doubles it after <see cref="GrowthInterval"/> finite steps.</summary>
    public void Update(bool finite)
    {
        if (!finite)
        {
            Scale = Math.Max(MinScale, Scale * 0.5);
            GoodSteps = 0;
            return;
        }
        if (++GoodSteps < GrowthInterval) return;
        // float32 holds the scale and the scaled loss; stop doubling long before they overflow.
        Scale = Math.Min(Scale * 2, 1e30);
        GoodSteps = 0;
    }

    /// <summary>Resumes from a saved scale (the good-step count restarts).</summary>
    public void Restore(double scale)
    {
        if (!(scale >= MinScale) || !double.IsFinite(scale))
            throw new WaveFlowException($"trainer state: loss_scale must be finite and ≥ {MinScale}, got {scale}");
        Scale = scale;
        GoodSteps = 0;
    }
}
