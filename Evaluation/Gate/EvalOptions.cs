using WaveFlow.Core;
using WaveFlow.Evaluation.Comparison;
using WaveFlow.Vocoder;
using WaveFlow.Vocoder.Checkpoints;

namespace WaveFlow.Evaluation.Gate;

/// <summary>
/// How <c>waveflow eval</c> picks and renders its clips: the first <see cref="ClipCount"/> WAVs in
/// ordinal name order, each cut to its centred <see cref="CropSeconds"/>, resynthesised from its own mel
/// with the noise of <see cref="Seed"/> + clip index at <see cref="Sigma"/>.
/// </summary>
internal sealed record EvalOptions(int ClipCount = 8, double CropSeconds = 2.0, long Seed = 1, double Sigma = 0.6, Precision Precision = Precision.Fp32)
{
    public void Validate()
    {
        if (ClipCount < 1) throw new WaveFlowException($"--clips {ClipCount}: must be at least 1");
        if (!(CropSeconds > 0)) throw new WaveFlowException($"--crop {CropSeconds}: must be positive (seconds)");
        if (!(Sigma >= 0)) throw new WaveFlowException($"--sigma {Sigma}: must be 0 or more");
    }
}
