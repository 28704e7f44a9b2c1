using WaveFlow.Audio;
using WaveFlow.Audio.Dsp;
using WaveFlow.Audio.Wav;
using WaveFlow.Core;
using WaveFlow.Tests.Support;

namespace WaveFlow.Tests.Audio;

public class SpectralMetricsTests
{
    private static readonly MelOptions Options = new();
    private static float[] Speech() => WavFile.Read(Fixture.Path_("mel", "WF001-0001.wav")).Samples[..30000];

    [Fact]
    public void IdenticalSignalsScoreZero()
    {
        var x = Speech();
        var s = SpectralMetrics.Compare(x, x, Options);
        Assert.Equal(new SpectralScores(0, 0, 0, 0), s);
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(2.0)]
    public void ScaledSignalHasKnownConvergenceAndLogSpectralDistance(double a)
    {
        // |Ŝ| = a·|S| (the STFT is linear): SC = |1 − a|, LSD = 20·|log10 a| dB; loudness only
        // moves c₀, so MCD is 0; every log-mel band moves by ln a (where above the 1e-5 floor).
        var x = Speech();
        var y = x.Select(v => (float)(v * a)).ToArray();
        Assert.Equal(Math.Abs(1 - a), SpectralMetrics.SpectralConvergence(x, y, Options), 5);
        // (the ε floor pulls a few near-silent bins of real speech slightly in: ±0.005 dB)
        double lsd = 20 * Math.Abs(Math.Log10(a));
        Assert.InRange(SpectralMetrics.LogSpectralDistance(x, y, Options), lsd - 0.005, lsd + 1e-9);
        Assert.Equal(0, SpectralMetrics.MelCepstralDistortion(x, y, Options), 3);
        Assert.Equal(Math.Abs(Math.Log(a)), SpectralMetrics.LogMelL1(x, y, Options), 2);
    }

    [Fact]
    public void MelCepstralDistortionOfOneCosineRippleIsKnown()
    {
        // Δ ln mel_m = r·cos(π·3·(m + ½)/M) gives Δc₃ = r/2 and nothing else,
        // so MCD = (10/ln 10)·sqrt(2·(r/2)²) = (10/ln 10)·r/√2 in every frame.
        const int m = 80, frames = 5;
        const double r = 0.3;
        var a = new float[m * frames];
        var b = new float[m * frames];
        var rng = new Random(5);
        for (int i = 0; i < m; i++)
            for (int t = 0; t < frames; t++)
            {
                a[i * frames + t] = (float)(rng.NextDouble() * 4 - 6);
                b[i * frames + t] = (float)(a[i * frames + t] + r * Math.Cos(Math.PI * 3 * (i + 0.5) / m) + 0.7);  // + constant: c₀ only
            }
        double mcd = SpectralMetrics.MelCepstralDistortion(new FloatArray(a, [m, frames]), new FloatArray(b, [m, frames]));
        Assert.Equal(10 / Math.Log(10) * r / Math.Sqrt(2), mcd, 4);
        // A ripple beyond the coefficients compared (d = 20 > 13) is not seen.
        for (int i = 0; i < m; i++)
            for (int t = 0; t < frames; t++)
                b[i * frames + t] = (float)(a[i * frames + t] + r * Math.Cos(Math.PI * 20 * (i + 0.5) / m));
        Assert.Equal(0, SpectralMetrics.MelCepstralDistortion(new FloatArray(a, [m, frames]), new FloatArray(b, [m, frames])), 4);
    }

    [Fact]
    public void LogMelL1IsTheMeanAbsoluteDifferenceOverCommonFrames()
    {
        var a = new FloatArray([1, 2, 3, 4, 5, 6], [2, 3]);
        var b = new FloatArray([1, 3, 2, 6], [2, 2]);   // 2 frames: compares a's first two columns
        // |1−1| + |2−3| + |4−2| + |5−6| = 4 over 4 values
        Assert.Equal(1.0, SpectralMetrics.LogMelL1(a, b), 12);
    }

    [Fact]
    public void NoiseScoresWorseThanASlightlyDistortedCopy()
    {
        var x = Speech();
        var rng = new Random(2);
        var slight = x.Select(v => v + (float)(0.001 * (rng.NextDouble() - 0.5))).ToArray();
        var noise = x.Select(_ => (float)(0.1 * (rng.NextDouble() - 0.5))).ToArray();
        var good = SpectralMetrics.Compare(x, slight, Options);
        var bad = SpectralMetrics.Compare(x, noise, Options);
        Assert.True(good.LogMelL1 < bad.LogMelL1 && good.SpectralConvergence < bad.SpectralConvergence
            && good.LogSpectralDistance < bad.LogSpectralDistance && good.MelCepstralDistortion < bad.MelCepstralDistortion, $"{good} vs {bad}");
    }
}
