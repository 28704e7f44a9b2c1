using TorchSharp;
using WaveFlow.Audio.Dsp;
using WaveFlow.Core.Serialization;
using WaveFlow.Tests.Support;
using static TorchSharp.torch;

namespace WaveFlow.Tests.Audio;

public class TorchStftTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private static float[] Chirp(int n, int seed)
    {
        var rng = new Random(seed);
        var x = new float[n];
        for (int i = 0; i < n; i++)
            x[i] = (float)(0.4 * Math.Sin(2 * Math.PI * (200 + 0.01 * i) * i / 22050.0) + 0.1 * (rng.NextDouble() - 0.5));
        return x;
    }

    [Fact]
    public void MagnitudeEqualsAnIndependentDftOfTheReflectPaddedWindowedFrame()
    {
        const int n = 64, hop = 16, win = 48;
        var audio = Chirp(300, 1);
        using var stft = new TorchStft(n, hop, win, torch.CPU);
        using var x = torch.tensor(audio, [1L, audio.Length]);
        var (mag, phase) = stft.Transform(x);
        using (mag) using (phase)
        {
            long frames = audio.Length / hop + 1;
            Assert.Equal(new long[] { 1, n / 2 + 1, frames }, mag.shape);
            var m = mag.data<float>().ToArray();
            var p = phase.data<float>().ToArray();
            // Independent truth: numpy.pad(mode="reflect") by hand, symmetric-in-the-middle Hann
            // of length win centred in n, then a naive O(n²) DFT in double precision.
            int pad = n / 2;
            double Sample(int i) { int j = i - pad; if (j < 0) j = -j; if (j >= audio.Length) j = 2 * (audio.Length - 1) - j; return audio[j]; }
            double maxErr = 0, maxPhaseErr = 0;
            for (int f = 0; f < frames; f++)
                for (int k = 0; k <= n / 2; k++)
                {
                    double re = 0, im = 0;
                    for (int t = 0; t < n; t++)
                    {
                        int w = t - (n - win) / 2;
                        double window = w >= 0 && w < win ? Math.Pow(Math.Sin(Math.PI * w / win), 2) : 0;
                        re += Sample(f * hop + t) * window * Math.Cos(2 * Math.PI * k * t / n);
                        im -= Sample(f * hop + t) * window * Math.Sin(2 * Math.PI * k * t / n);
                    }
                    double mag0 = Math.Sqrt(re * re + im * im);
                    maxErr = Math.Max(maxErr, Math.Abs(m[k * frames + f] - mag0));
                    if (mag0 > 0.1)
                    {
                        double d = Math.IEEERemainder(p[k * frames + f] - Math.Atan2(im, re), 2 * Math.PI);
                        maxPhaseErr = Math.Max(maxPhaseErr, Math.Abs(d));
                    }
                }
            Assert.True(maxErr < 1e-5, $"max |magnitude error| {maxErr}");
            Assert.True(maxPhaseErr < 1e-4, $"max phase error {maxPhaseErr}");
        }
    }

    [Theory]
    [InlineData(1024, 256, 1024)]
    [InlineData(64, 16, 48)]
    public void InverseOfTransformReconstructsTheAudioAwayFromTheEdges(int n, int hop, int win)
    {
        var audio = Chirp(20 * n, 2);
        using var stft = new TorchStft(n, hop, win, torch.CPU);
        using var x = torch.tensor(audio, [2L, audio.Length / 2]);
        var (mag, phase) = stft.Transform(x);
        using var y = stft.Inverse(mag, phase);
        mag.Dispose(); phase.Dispose();
        long frames = audio.Length / 2 / hop + 1;
        Assert.Equal(new long[] { 2, hop * (frames - 1) }, y.shape);
        var original = x.narrow(1, n, audio.Length / 2 - 2 * n).data<float>().ToArray();
        var restored = y.narrow(1, n, audio.Length / 2 - 2 * n).data<float>().ToArray();
        double err = Fixture.RelativeL2(restored, original);
        Assert.True(err < 1e-5, $"relative L2 {err}");
    }

    [Fact]
    public void DenoiserArithmeticOnTorchStftReproducesNvidiasDenoisedAudio()
    {
        // NVIDIA's Denoiser.forward, written out on our STFT: magnitude minus strength × bias
        // spectrum, clamped at 0, inverted with the original phase. The reference output was made
        // by their code from the same input and bias, so this checks Transform and Inverse
        // (window-sum correction, scaling, trimming) end to end, independently of any model.
        var input = NpyFile.Read(Fixture.Path_("tiny", "infer.sigma0.6.audio.npy"));
        var bias = NpyFile.Read(Fixture.Path_("tiny", "denoiser.bias_spec.npy"));
        var reference = NpyFile.Read(Fixture.Path_("tiny", "denoised0.1.audio.npy"));
        using var stft = new TorchStft(1024, 256, 1024, torch.CPU);
        using var audio = torch.tensor(input.Data, [1L, input.Data.Length]);
        using var biasSpec = torch.tensor(bias.Data, [1L, 513, 1]);
        var (magnitude, phase) = stft.Transform(audio);
        using (magnitude) using (phase)
        using (var denoised = torch.clamp(magnitude - biasSpec * 0.1f, min: 0f))
        using (var result = stft.Inverse(denoised, phase))
        {
            var values = result.data<float>().ToArray();
            Assert.Equal(reference.Data.Length, values.Length);
            double err = Fixture.RelativeL2(values, reference.Data);
            output.WriteLine($"denoised audio: relative L2 {err:E3}");
            Assert.True(err < 1e-5, $"relative L2 {err:E3}");
        }
    }

    [Fact]
    public void WindowSumSquareIsTheOverlapOfSquaredHannWindows()
    {
        // With hop = n/4 the squared periodic Hann sums to the constant 1.5 in the interior.
        using var stft = new TorchStft(64, 16, 64, torch.CPU);
        var sum = stft.WindowSumSquare(10);
        Assert.Equal(64 + 16 * 9, sum.Length);
        for (int i = 64; i < sum.Length - 64; i++) Assert.Equal(1.5, sum[i], 5);
        Assert.Equal(0f, sum[0]);
    }
}
