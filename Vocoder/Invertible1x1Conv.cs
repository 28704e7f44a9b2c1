using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace WaveFlow.Vocoder;

/// <summary>
/// Glow's invertible 1x1 convolution: a learned c×c matrix W mixing the channels at every time
/// step, in place of a fixed permutation, so that each coupling sees a different, learned split.
/// Its log-determinant is T'·log|det W| per batch element (one W applied at T' positions).
/// </summary>
public sealed class Invertible1x1Conv : nn.Module<Tensor, (Tensor Z, Tensor LogDet)>
{
    private readonly Conv1d conv;
    // Inference cache of W^-1 for one (dtype, device), with the W it was computed from.
    private Tensor? inverse;
    private Tensor? inverseOf;

    public Invertible1x1Conv(int channels) : base(nameof(Invertible1x1Conv))
    {
        conv = nn.Conv1d(channels, channels, 1, bias: false);
        using (no_grad())
        {
            // A random orthonormal matrix: |det W| = 1, so the flow starts volume-preserving and
            // perfectly conditioned. Its sign is made +1 by negating one column: det W = -1 would
            // be a reflection, and log det W (NVIDIA uses torch.logdet) is NaN for det < 0;
            // with det > 0 the weight never has to cross the singular det = 0 to reach it.
            using var scope = NewDisposeScope();
            var (q, _) = linalg.qr(randn(channels, channels, dtype: ScalarType.Float64));
            if (linalg.det(q).item<double>() < 0) q[TensorIndex.Colon, 0] = q[TensorIndex.Colon, 0].neg();
            conv.weight!.copy_(q.to(ScalarType.Float32).unsqueeze(2)); // (c, c, 1)
        }
        RegisterComponents();
    }

    /// <summary>z (B, c, T') → (W z, B·T'·log|det W|).</summary>
    public override (Tensor Z, Tensor LogDet) forward(Tensor z)
    {
        using var scope = NewDisposeScope();
        long batch = z.shape[0], steps = z.shape[2];
        var w = conv.weight!.squeeze(2);              // (c, c)
        // slogdet is stable where det would under/overflow; its log|det| equals logdet for det > 0.
        // Half precision has no slogdet kernel: such weights are read in float32.
        using var wd = w.dtype is ScalarType.Float16 or ScalarType.BFloat16 ? w.to(ScalarType.Float32) : w.alias();
        var (_, logAbsDet) = linalg.slogdet(wd);
        var logDet = logAbsDet * (batch * steps);
        var y = nn.functional.conv1d(z, conv.weight!.to(z.dtype));
        return (y.MoveToOuterDisposeScope(), logDet.MoveToOuterDisposeScope());
    }

    /// <summary>z (B, c, T') → W⁻¹ z, with W⁻¹ cached while W is unchanged.</summary>
    public Tensor Inverse(Tensor z)
    {
        using var scope = NewDisposeScope();
        return nn.functional.conv1d(z, InverseWeight(z.dtype, z.device)).MoveToOuterDisposeScope();
    }

    /// <summary>W⁻¹ as a (c, c, 1) kernel of the given dtype and device.</summary>
    private Tensor InverseWeight(ScalarType dtype, Device device)
    {
        using (no_grad())
        {
            var w = conv.weight!;
            bool valid = inverse is not null && inverseOf is not null
                && inverse.dtype == dtype && SameDevice(inverse.device, device)
                && SameDevice(inverseOf.device, w.device) && inverseOf.dtype == w.dtype && inverseOf.shape.SequenceEqual(w.shape) && inverseOf.equal(w).all().item<bool>();
            if (!valid)
            {
                inverse?.Dispose();
                inverseOf?.Dispose();
                // Inverted in float64 and cast once: a float16 model then uses the float16
                // rounding of the exact inverse instead of inverting an already-rounded matrix
                // in half precision.
                using var w64 = w.squeeze(2).to(ScalarType.Float64);
                using var inv64 = linalg.inv(w64);
                inverse = inv64.to(dtype, device).unsqueeze(2).DetachFromDisposeScope();
                inverseOf = w.detach().clone().DetachFromDisposeScope();
            }
            return inverse!.alias();
        }
    }

    private static bool SameDevice(Device a, Device b) => a.type == b.type && a.index == b.index;

    /// <summary>The matrix W (c, c), a view of the parameter.</summary>
    public Tensor Weight => conv.weight!.squeeze(2);

    protected override void Dispose(bool disposing)
    {
        if (disposing) { inverse?.Dispose(); inverseOf?.Dispose(); }
        base.Dispose(disposing);
    }
}
