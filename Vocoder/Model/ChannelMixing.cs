using TorchSharp;
using WaveFlow.Core;
using static TorchSharp.torch;

namespace WaveFlow.Vocoder;

/// <summary>
/// The invertible channel mixing before each coupling (the <c>convinv.k</c> modules): Glow's
/// invertible 1x1 convolution (NVIDIA's default), its LU-decomposed form, or a fixed permutation
/// (RealNVP/NICE style: reverse or a seeded shuffle). forward gives (mixed z, log|det| summed over
/// the batch and time); <see cref="Inverse"/> undoes it.
/// </summary>
internal abstract class ChannelMixing : nn.Module<Tensor, (Tensor Z, Tensor LogDet)>
{
    protected ChannelMixing(string name) : base(name) { }

    /// <summary>z (B, c, T') → the channels before mixing.</summary>
    public abstract Tensor Inverse(Tensor z);

    /// <summary>Builds the mixing <paramref name="kind"/> for <paramref name="channels"/> channels of flow <paramref name="flow"/>.</summary>
    public static ChannelMixing Create(string kind, int channels, int flow, long seed) => kind switch
    {
        Permutations.Invertible1x1 => new Invertible1x1Conv(channels),
        Permutations.Lu1x1 => new LUInvertible1x1Conv(channels),
        Permutations.Reverse => new FixedPermutation(channels, null),
        Permutations.Shuffle => new FixedPermutation(channels, seed + flow),
        _ => throw new WaveFlowException($"permutation {kind}: not one of {string.Join(", ", Permutations.All)}"),
    };
}
