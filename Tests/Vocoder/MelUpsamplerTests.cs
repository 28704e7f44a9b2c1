using WaveFlow.Tests.Support;
using WaveFlow.Vocoder;
using static TorchSharp.torch;

namespace WaveFlow.Tests.Vocoder;

public class MelUpsamplerTests
{
    /// <summary>
    /// The block-matmul upsampler against ConvTranspose1d's definition evaluated in float64
    /// (out[o, f·hop + k] += W[c, o, k] · mel[c, f] + bias[o]), on the tiny fixture's weights and
    /// its long mel (80 × 307, where the float32 kernel once lost 2.4%).
    /// </summary>
    [Fact]
    public void EqualsTheTransposedConvolutionInFloat64()
    {
        using var scope = NewDisposeScope();
        using var model = ModelFixture.Load("tiny");
        var p = model.named_parameters().ToDictionary(x => x.name, x => x.parameter);
        var (w, b) = (p["upsample.weight"].detach(), p["upsample.bias"].detach());       // (C, C, K), (C)
        var mel = ModelFixture.Npy("tiny", "infer.mel.npy");
        var x = tensor(mel.Data, [1, mel.Shape[0], mel.Shape[1]]);                          // (1, C, F)
        using var upsampler = new MelUpsampler(mel.Shape[0], w.shape[2], 256);
        using (no_grad())
        {
            upsampler.named_parameters().Single(n => n.name == "weight").parameter.copy_(w);
            upsampler.named_parameters().Single(n => n.name == "bias").parameter.copy_(b);
        }
        Tensor ours;
        using (no_grad()) ours = upsampler.forward(x).to(ScalarType.Float64);            // (1, C, (F−1)·256 + K)

        // The definition, one frame at a time: frame f adds W^T·mel[:, f] at samples f·hop ...
        var (xd, wd) = (x.to(ScalarType.Float64)[0], w.to(ScalarType.Float64));           // (C, F), (C, C, K)
        long channels = w.shape[1], kernel = w.shape[2], frames = x.shape[2];
        var reference = zeros([channels, (frames - 1) * 256 + kernel], dtype: ScalarType.Float64);
        var taps = wd.permute(1, 2, 0).reshape(channels * kernel, -1);                     // (C·K, C)
        for (long f = 0; f < frames; f++)
        {
            var contribution = matmul(taps, xd[.., (int)f]).view(channels, kernel);         // (C, K)
            reference[.., (int)(f * 256)..(int)(f * 256 + kernel)].add_(contribution);
        }
        reference.add_(b.to(ScalarType.Float64).view(channels, 1));
        double rel = ((ours[0] - reference).norm() / reference.norm()).item<double>();
        Assert.True(rel < 1e-6, $"relative L2 error against the float64 definition {rel:G3}");
    }
}
