using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace WaveFlow.Vocoder;

/// <summary>
/// Glow's invertible 1x1 convolution: a learned c×c matrix W mixing the channels at every time
/// step, in place of a fixed permutation, so that each coupling sees a different, learned split.
/// Its log-determinant is T'·log|det W| per batch element (one W applied at T' positions).
/// </summary>
internal sealed class Invertible1x1Conv : ChannelMixing
{
    private readonly Conv1d conv;
    private readonly InverseCache inverse = new();

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
            conv.weight!.copy_(RandomRotation(channels).to(ScalarType.Float32).unsqueeze(2)); // (c, c, 1)
        }
        RegisterComponents();
    }

    /// <summary>A random orthonormal c×c matrix with determinant +1 (float64).</summary>
    internal static Tensor RandomRotation(int channels)
    {
        using var scope = NewDisposeScope();
        var (q, _) = linalg.qr(InitRandom.Normal(ScalarType.Float64, channels, channels));
        if (linalg.det(q).item<double>() < 0) q[TensorIndex.Colon, 0] = q[TensorIndex.Colon, 0].neg();
        return q.MoveToOuterDisposeScope();
    }

    /// <summary>z (B, c, T') → (W z, B·T'·log|det W|).</summary>
    public override (Tensor Z, Tensor LogDet) forward(Tensor z)
    {
        using var scope = NewDisposeScope();
        long batch = z.shape[0], steps = z.shape[2];
        var w = conv.weight!.squeeze(2);              // (c, c)
        // Half precision has no slogdet kernel: such weights are read in float32. slogdet is
        // stable where det would under/overflow; its log|det| equals logdet for det > 0.
        var wd = w.dtype is ScalarType.Float16 or ScalarType.BFloat16 ? w.to(ScalarType.Float32) : w;
        var (_, logAbsDet) = linalg.slogdet(wd);
        var logDet = logAbsDet * (batch * steps);
        var y = nn.functional.conv1d(z, conv.weight!.to(z.dtype));
        return (y.MoveToOuterDisposeScope(), logDet.MoveToOuterDisposeScope());
    }

    /// <summary>z (B, c, T') → W⁻¹ z, with W⁻¹ cached while W is unchanged.</summary>
    public override Tensor Inverse(Tensor z)
    {
        using var scope = NewDisposeScope();
        var w = conv.weight!.squeeze(2);
        return nn.functional.conv1d(z, inverse.Get(w, z.dtype, z.device)).MoveToOuterDisposeScope();
    }

    /// <summary>The matrix W (c, c), a view of the parameter.</summary>
    public Tensor Weight => conv.weight!.squeeze(2);

    protected override void Dispose(bool disposing)
    {
        if (disposing) inverse.Dispose();
        base.Dispose(disposing);
    }
}
