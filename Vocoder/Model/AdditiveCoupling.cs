using static TorchSharp.torch;

namespace WaveFlow.Vocoder;

/// <summary>
/// NICE's additive coupling: the WN output for the untouched half is a shift b alone, and the
/// other half becomes x + b. The Jacobian is unit triangular: log|det| = 0, volume is preserved
/// (NICE's scaling layer, here <c>prior_scale</c>, then supplies the change of volume).
/// </summary>
internal static class AdditiveCoupling
{
    public static Tensor Forward(Tensor x1, Tensor shift) => x1 + shift;

    public static Tensor Inverse(Tensor y1, Tensor shift) => y1 - shift;
}
