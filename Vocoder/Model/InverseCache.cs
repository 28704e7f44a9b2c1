using TorchSharp;
using static TorchSharp.torch;

namespace WaveFlow.Vocoder;

/// <summary>
/// W⁻¹ of a mixing matrix for one (dtype, device), kept while W is unchanged (checked against a
/// copy of the W it came from, so a training step in between cannot leave a stale inverse).
/// Inverted in float64 and cast once: a float16 model then uses the float16 rounding of the
/// exact inverse instead of inverting an already-rounded matrix in half precision.
/// </summary>
internal sealed class InverseCache : IDisposable
{
    private Tensor? inverse;   // (c, c, 1) in the requested dtype and device
    private Tensor? source;    // the W it was computed from

    /// <summary>W⁻¹ of <paramref name="w"/> (c, c) as a (c, c, 1) kernel; the caller disposes the returned alias.</summary>
    public Tensor Get(Tensor w, ScalarType dtype, Device device)
    {
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        bool valid = inverse is not null && source is not null
            && inverse.dtype == dtype && SameDevice(inverse.device, device)
            && SameDevice(source.device, w.device) && source.dtype == w.dtype
            && source.shape.SequenceEqual(w.shape) && source.equal(w).all().item<bool>();
        if (!valid)
        {
            inverse?.Dispose();
            source?.Dispose();
            var inv64 = linalg.inv(w.detach().to(ScalarType.Float64));
            inverse = inv64.to(dtype, device).unsqueeze(2).DetachFromDisposeScope();
            source = w.detach().clone().DetachFromDisposeScope();
        }
        return inverse!.alias().MoveToOuterDisposeScope();
    }

    private static bool SameDevice(Device a, Device b) => a.type == b.type && a.index == b.index;

    public void Dispose()
    {
        inverse?.Dispose();
        source?.Dispose();
        inverse = source = null;
    }
}
