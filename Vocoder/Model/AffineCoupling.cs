using static TorchSharp.torch;

namespace WaveFlow.Vocoder;

/// <summary>
/// RealNVP's affine coupling as WaveGlow uses it: the WN output for the untouched half holds
/// b (first n_half channels) and log s (last n_half); the other half becomes
/// exp(log s)·x + b. The Jacobian is triangular, so log|det| = Σ log s.
/// </summary>
internal static class AffineCoupling
{
    /// <summary>(x1, WN output) → (exp(log s)·x1 + b, log s).</summary>
    public static (Tensor Y1, Tensor LogS) Forward(Tensor x1, Tensor wnOutput)
    {
        using var scope = NewDisposeScope();
        long half = x1.shape[1];
        var b = wnOutput.narrow(1, 0, half);
        var logS = wnOutput.narrow(1, half, half);
        var y1 = logS.exp() * x1 + b;
        return (y1.MoveToOuterDisposeScope(), logS.MoveToOuterDisposeScope());
    }

    /// <summary>(y1, WN output) → (y1 − b) / exp(log s), written as NVIDIA writes it.</summary>
    public static Tensor Inverse(Tensor y1, Tensor wnOutput)
    {
        using var scope = NewDisposeScope();
        long half = y1.shape[1];
        var b = wnOutput.narrow(1, 0, half);
        var logS = wnOutput.narrow(1, half, half);
        return ((y1 - b) / logS.exp()).MoveToOuterDisposeScope();
    }
}
