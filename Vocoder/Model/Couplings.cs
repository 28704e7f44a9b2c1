using TorchSharp;
using WaveFlow.Core;
using static TorchSharp.torch;

namespace WaveFlow.Vocoder;

/// <summary>The names of the <c>coupling</c> config key.</summary>
internal static class Couplings
{
    public const string Affine = "affine";
    public const string Additive = "additive";
    public static readonly string[] All = [Affine, Additive];
}
