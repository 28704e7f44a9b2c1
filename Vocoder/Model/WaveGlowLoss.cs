using TorchSharp;
using static TorchSharp.torch;

namespace WaveFlow.Vocoder;

/// <summary>
/// NVIDIA's WaveGlowLoss: the negative log-likelihood of the audio under a N(0, σ²) prior on z,
/// without the constant ½·log(2πσ²) per sample, divided by z.numel().
/// </summary>
internal static class WaveGlowLoss
{
    public static Tensor Compute(Tensor z, Tensor logSSum, Tensor logDetWSum, double sigma = 1.0)
    {
        using var scope = NewDisposeScope();
        // Scalars held in `using` variables stay alive until libtorch has read them (an implicit
        // Scalar can be finalized by the GC during the call; see WeightNormConv1d.NormExceptDim0).
        using var twoSigmaSquared = (2 * sigma * sigma).ToScalar();
        using var count = ((double)z.numel()).ToScalar();
        var loss = (z * z).sum().div(twoSigmaSquared) - logSSum - logDetWSum;
        return loss.div(count).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The exact negative log-likelihood in nats per sample: the loss plus the Gaussian's
    /// normalising constant ½·log(2πσ²) that the training loss leaves out.
    /// </summary>
    public static double NatsPerSample(double loss, double sigma = 1.0) =>
        loss + 0.5 * Math.Log(2 * Math.PI * sigma * sigma);

    /// <summary>Nats converted to bits (÷ ln 2).</summary>
    public static double BitsPerSample(double nats) => nats / Math.Log(2);
}
