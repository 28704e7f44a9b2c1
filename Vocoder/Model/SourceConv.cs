using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace WaveFlow.Vocoder;

/// <summary>
/// A 1-d convolution over mel frames with "same" padding (odd kernel), for the harmonic source's
/// small networks. Weights are drawn through <see cref="InitRandom"/> (torch.nn's default
/// U(±1/√fan_in)), so a seeded model is reproducible; <c>zeroInit</c> starts at exactly zero.
/// </summary>
internal sealed class SourceConv : nn.Module<Tensor, Tensor>
{
    private readonly long padding;
    private Parameter weight;
    private Parameter bias;

    public SourceConv(long inChannels, long outChannels, long kernelSize, bool zeroInit = false) : base(nameof(SourceConv))
    {
        padding = kernelSize / 2;
        double bound = 1.0 / Math.Sqrt(inChannels * kernelSize);
        using (no_grad())
        {
            weight = new Parameter(zeroInit ? zeros(outChannels, inChannels, kernelSize) : InitRandom.Uniform(bound, outChannels, inChannels, kernelSize));
            bias = new Parameter(zeroInit ? zeros(outChannels) : InitRandom.Uniform(bound, outChannels));
        }
        RegisterComponents();
    }

    /// <summary>(B, in, F) → (B, out, F).</summary>
    public override Tensor forward(Tensor x) => nn.functional.conv1d(x, weight, bias, padding: padding);
}
