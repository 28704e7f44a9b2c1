using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace WaveFlow.Vocoder;

/// <summary>
/// Glow's LU-decomposed invertible 1x1 convolution: W = P·L·(U + diag(sign_s·exp(log_s))) with P a
/// fixed permutation, L unit lower triangular and U strictly upper triangular. det W is then
/// ±Π exp(log_s), so log|det W| = Σ log_s: O(c) instead of an O(c³) determinant, and W stays
/// invertible whatever the optimiser does (no diagonal entry can reach 0).
/// </summary>
internal sealed class LUInvertible1x1Conv : ChannelMixing
{
    // Learned: the strictly lower part of L, the strictly upper part of U, log|diag U|.
    private Parameter lower;
    private Parameter upper;
    private Parameter log_s;
    // Fixed: the permutation and the signs of diag U (buffers: saved, not trained).
    private Tensor p;
    private Tensor sign_s;
    private readonly InverseCache inverse = new();

    public LUInvertible1x1Conv(int channels) : base(nameof(LUInvertible1x1Conv))
    {
        using (no_grad())
        {
            // Start from the same kind of matrix as the plain 1x1 convolution (random rotation,
            // det +1) and factor it, so both variants start from the same distribution.
            using var scope = NewDisposeScope();
            var (pm, l, u) = linalg.lu(Invertible1x1Conv.RandomRotation(channels));
            var diag = u.diagonal();
            p = pm.to(ScalarType.Float32).DetachFromDisposeScope();
            sign_s = diag.sign().to(ScalarType.Float32).DetachFromDisposeScope();
            log_s = new Parameter(diag.abs().log().to(ScalarType.Float32));
            lower = new Parameter(l.tril(-1).to(ScalarType.Float32));
            upper = new Parameter(u.triu(1).to(ScalarType.Float32));
            foreach (var t in new Tensor[] { log_s, lower, upper }) t.DetachFromDisposeScope();
        }
        RegisterComponents();
    }

    /// <summary>W (c, c) assembled from its factors, in the parameters' dtype.</summary>
    public Tensor Weight()
    {
        using var scope = NewDisposeScope();
        long c = log_s.shape[0];
        var eye = torch.eye(c, dtype: lower.dtype, device: lower.device);
        var l = lower.tril(-1) + eye;                                  // unit lower triangular
        var u = upper.triu(1) + torch.diag(sign_s * log_s.exp());      // upper with diag ±exp(log_s)
        return p.matmul(l).matmul(u).MoveToOuterDisposeScope();
    }

    /// <summary>z (B, c, T') → (W z, B·T'·Σ log_s).</summary>
    public override (Tensor Z, Tensor LogDet) forward(Tensor z)
    {
        using var scope = NewDisposeScope();
        long batch = z.shape[0], steps = z.shape[2];
        // Summed in float32 at least (a half-precision sum over many channels would round).
        var logDet = (log_s.dtype is ScalarType.Float16 or ScalarType.BFloat16 ? log_s.to(ScalarType.Float32) : log_s).sum() * (batch * steps);
        var y = nn.functional.conv1d(z, Weight().to(z.dtype).unsqueeze(2));
        return (y.MoveToOuterDisposeScope(), logDet.MoveToOuterDisposeScope());
    }

    /// <summary>z (B, c, T') → W⁻¹ z (W⁻¹ from float64, cached while the factors are unchanged).</summary>
    public override Tensor Inverse(Tensor z)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        return nn.functional.conv1d(z, inverse.Get(Weight(), z.dtype, z.device)).MoveToOuterDisposeScope();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) inverse.Dispose();
        base.Dispose(disposing);
    }
}
