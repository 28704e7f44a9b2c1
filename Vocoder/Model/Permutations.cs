using TorchSharp;
using WaveFlow.Core;
using static TorchSharp.torch;

namespace WaveFlow.Vocoder;

/// <summary>The names of the <c>permutation</c> config key.</summary>
internal static class Permutations
{
    public const string Invertible1x1 = "invertible-1x1";
    public const string Lu1x1 = "lu-1x1";
    public const string Reverse = "reverse";
    public const string Shuffle = "shuffle";
    public static readonly string[] All = [Invertible1x1, Lu1x1, Reverse, Shuffle];
}
