using static TorchSharp.torch;

namespace WaveFlow.Vocoder;

/// <summary>
/// Mixed precision for the model's matrix products, in the manner of PyTorch's autocast (which
/// TorchSharp 0.107 does not bind). While a scope from <see cref="Enable"/> is open on this
/// thread, the layers that do the arithmetic (every convolution of WN, the mel upsampler) cast
/// their input, weight and bias to the low-precision type and compute in it. The parameters
/// themselves stay float32 (the master weights): the cast is an autograd operation, so the
/// backward pass returns float32 gradients to them. Everything that sums or exponentiates stays
/// float32: WN hands its output back in the caller's dtype, so the coupling's exp(log s), the
/// log-determinants, the 1x1 convolutions' log|det W| and the loss are computed in float32.
/// Inference in low precision instead converts a copy of the model (see Synthesizer).
/// </summary>
internal static class Autocast
{
    [ThreadStatic] private static ScalarType? current;

    /// <summary>The low-precision type in force on this thread, or null (plain float32).</summary>
    public static ScalarType? Dtype => current;

    /// <summary>Computes the model's products in <paramref name="dtype"/> until disposed
    /// (float32: no change). Scopes nest; disposing restores the previous setting.</summary>
    public static IDisposable Enable(ScalarType dtype) =>
        new Scope(dtype == ScalarType.Float32 ? null : dtype);

    /// <summary><paramref name="t"/> in the autocast type, or itself when none is in force or
    /// it is not floating point. A cast result belongs to the caller's dispose scope.</summary>
    internal static Tensor Cast(Tensor t) =>
        current is { } d && t.dtype != d && t.is_floating_point() ? t.to(d) : t;

    private sealed class Scope : IDisposable
    {
        private readonly ScalarType? previous;
        private bool disposed;

        public Scope(ScalarType? dtype)
        {
            previous = current;
            current = dtype;
        }

        public void Dispose()
        {
            if (disposed) return;
            disposed = true;
            current = previous;
        }
    }
}
