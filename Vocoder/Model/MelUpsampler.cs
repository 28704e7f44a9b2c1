using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace WaveFlow.Vocoder;

/// <summary>
/// NVIDIA's upsampler, ConvTranspose1d(n_mel, n_mel, filter_length, stride=hop_length), with the
/// same parameters (`weight` (in, out, K), `bias` (out)) and the same function:
/// out[o, f·hop + k] += W[c, o, k] · mel[c, f].
/// <para>
/// Why not torch's conv_transpose1d: libtorch 2.10's CPU kernel was once seen to lose precision
/// on long inputs with this shape, and could not be made to fail again, so the cause is unknown
/// (docs/bench/history.md, "Measurements that were in code comments"); matrix products are exact
/// either way, hence this form (a test
/// holds it to the float64 definition). When hop divides K (always for STFT settings) the
/// kernel is split into K/hop blocks of hop taps; block j is one matrix product placed j frames
/// later, and the blocks are summed (an overlap-add of at most K/hop terms per sample).
/// </para>
/// </summary>
internal sealed class MelUpsampler : nn.Module<Tensor, Tensor>
{
    private readonly long kernel;
    private readonly long hop;
    private Parameter weight;
    private Parameter bias;

    public MelUpsampler(long channels, long kernelSize, long stride) : base(nameof(MelUpsampler))
    {
        kernel = kernelSize;
        hop = stride;
        // torch.nn.ConvTranspose1d's default init: U(±1/sqrt(fan_in)), fan_in = weight.size(1)·K.
        double bound = 1.0 / Math.Sqrt(channels * kernelSize);
        using (no_grad())
        {
            weight = new Parameter(InitRandom.Uniform(bound, channels, channels, kernelSize));
            bias = new Parameter(InitRandom.Uniform(bound, channels));
        }
        RegisterComponents();
    }

    /// <summary>The transposed convolution's weight (in, out, K), a view of the parameter.</summary>
    internal Tensor Weight => weight;

    /// <summary>The bias (out), a view of the parameter.</summary>
    internal Tensor Bias => bias;

    /// <summary>mel (B, C, F) → (B, C, (F−1)·hop + K).</summary>
    public override Tensor forward(Tensor mel)
    {
        using var scope = NewDisposeScope();
        // Under Autocast the products run in its low-precision type (no-op casts otherwise).
        mel = Autocast.Cast(mel);
        var weight = Autocast.Cast(this.weight);
        var bias = Autocast.Cast(this.bias);
        if (kernel % hop != 0)
            return nn.functional.conv_transpose1d(mel, weight, bias, stride: hop).MoveToOuterDisposeScope();

        long batch = mel.shape[0], inCh = mel.shape[1], frames = mel.shape[2];
        long outCh = weight.shape[1], blocks = kernel / hop;
        var w = weight.view(inCh, outCh, blocks, hop)          // (Cin, Cout, J, hop)
            .permute(2, 1, 3, 0)                                // (J, Cout, hop, Cin)
            .reshape(blocks, outCh * hop, inCh);                // (J, Cout·hop, Cin)
        Tensor? sum = null;
        for (long j = 0; j < blocks; j++)
        {
            var part = matmul(w[j], mel)                        // (B, Cout·hop, F)
                .view(batch, outCh, hop, frames);               // (B, Cout, hop, F)
            // Block j lands j frames later: pad j frames in front, J−1−j behind.
            part = nn.functional.pad(part, [j, blocks - 1 - j]); // (B, Cout, hop, F+J−1)
            sum = sum is null ? part : sum + part;
        }
        var output = sum!.permute(0, 1, 3, 2)                    // (B, Cout, F+J−1, hop)
            .reshape(batch, outCh, (frames + blocks - 1) * hop)  // (B, Cout, (F−1)·hop + K)
            + bias.view(1, outCh, 1);
        return output.MoveToOuterDisposeScope();
    }
}
