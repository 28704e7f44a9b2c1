using static TorchSharp.torch;

namespace WaveFlow.Vocoder;

/// <summary>
/// A stride-1 Conv1d written as matrix products: for kernel taps j = 0..K−1,
/// y = b + Σ_j W[:, :, j] · x_padded[:, :, j·d : j·d + T_out]. Each tap is one GEMM on a shifted
/// view of the padded input (no im2col copy), accumulated. Why not conv1d: libtorch's CPU conv1d
/// is slower than the same products, by far in bfloat16 for the large 1x1 conditioning layer,
/// because GEMMs reach oneMKL/oneDNN's AVX-512 (BF16) kernels directly (docs/bench/history.md,
/// change 2). Same function; the sums
/// are ordered differently, so results differ from conv1d by float rounding only (tested).
/// </summary>
internal static class ConvAsProducts
{
    /// <summary>x (B, C_in, T), weight (C_out, C_in, K), bias (C_out) → (B, C_out, T + 2·padding − dilation·(K−1)).</summary>
    public static Tensor Conv1d(Tensor x, Tensor weight, Tensor? bias, long dilation = 1, long padding = 0)
    {
        using var scope = NewDisposeScope();
        long batch = x.shape[0], inCh = x.shape[1], outCh = weight.shape[0], taps = weight.shape[2];
        long outT = x.shape[2] + 2 * padding - dilation * (taps - 1);
        var xp = padding > 0 ? nn.functional.pad(x, [padding, padding]) : x;          // (B, C_in, T + 2p)
        // (K, C_out, C_in): each tap's matrix contiguous, as GEMM wants it.
        var w = taps == 1 ? weight.view(1, outCh, inCh) : weight.permute(2, 0, 1).contiguous();
        Tensor y;
        if (batch == 1)
        {
            // One 2-D GEMM per tap on the (C_in, T) view: the common case of synthesis.
            var x2 = xp[0];                                                            // (C_in, T + 2p)
            y = bias is null ? mm(w[0], x2.narrow(1, 0, outT)) : addmm(bias.view(outCh, 1), w[0], x2.narrow(1, 0, outT), 1, 1);
            for (long j = 1; j < taps; j++) y = y.addmm_(w[j], x2.narrow(1, j * dilation, outT), 1, 1);   // (C_out, T_out)
            y = y.unsqueeze(0);                                                        // (1, C_out, T_out)
        }
        else
        {
            // (TorchSharp 0.107's baddbmm passes its arguments to libtorch in the wrong order,
            // so the bias and the taps are added separately.)
            var wb = w.unsqueeze(1).expand(taps, batch, outCh, inCh);                  // (K, B, C_out, C_in), no copy
            y = bmm(wb[0], xp.narrow(2, 0, outT));                                     // (B, C_out, T_out)
            for (long j = 1; j < taps; j++) y = y.add_(bmm(wb[j], xp.narrow(2, j * dilation, outT)));
            if (bias is not null) y = y.add_(bias.view(1, outCh, 1));
        }
        return y.MoveToOuterDisposeScope();
    }
}
