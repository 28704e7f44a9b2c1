using WaveFlow.Audio;
using WaveFlow.Audio.Dsp;
using WaveFlow.Audio.Wav;
using WaveFlow.Core;
using WaveFlow.Tests.Support;

namespace WaveFlow.Tests.Audio;

public class GriffinLimTests(Xunit.Abstractions.ITestOutputHelper output)
{
    [Fact]
    public void ReconstructsAudioWhoseMelIsMuchCloserThanNoise()
    {
        var options = new MelOptions();
        var clip = WavFile.Read(Fixture.Path_("mel", "WF001-0001.wav"));
        var samples = clip.Samples[..(256 * 120)];
        var front = new MelSpectrogram(options);
        var target = front.Compute(samples);

        var audio = GriffinLim.Synthesize(target, options, iterations: 32, seed: 7);
        Assert.Equal(256 * ((int)target.Shape[1] - 1), audio.Length);
        var rebuilt = front.Compute(audio);
        Assert.Equal(target.Shape, rebuilt.Shape);

        // Noise of the same loudness as the original.
        double rms = Math.Sqrt(samples.Average(x => (double)x * x));
        var rng = new Random(1);
        var noise = Enumerable.Range(0, audio.Length).Select(_ => (float)(rms * Math.Sqrt(3) * (2 * rng.NextDouble() - 1))).ToArray();
        double glError = SpectralMetrics.LogMelL1(target, rebuilt);
        double noiseError = SpectralMetrics.LogMelL1(target, front.Compute(noise));
        Assert.True(glError < 0.25 * noiseError, $"Griffin-Lim log-mel L1 {glError:F3}, noise {noiseError:F3}");
        double sc = SpectralMetrics.SpectralConvergence(samples[..audio.Length], audio, options);
        output.WriteLine($"Griffin-Lim (32 iterations) log-mel L1 {glError:F3} (noise {noiseError:F3}); {SpectralMetrics.Compare(samples[..audio.Length], audio, options)}");
        Assert.True(sc < 0.5, $"spectral convergence {sc:F3}");
    }

    [Fact]
    public void SameSeedGivesSameAudioAndAnotherSeedDiffers()
    {
        var options = new MelOptions();
        var samples = WavFile.Read(Fixture.Path_("mel", "WF002-0002.wav")).Samples[..(256 * 40)];
        var mel = new MelSpectrogram(options).Compute(samples);
        var a = GriffinLim.Synthesize(mel, options, iterations: 4, seed: 1);
        var b = GriffinLim.Synthesize(mel, options, iterations: 4, seed: 1);
        var c = GriffinLim.Synthesize(mel, options, iterations: 4, seed: 2);
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
        // One instance for many mels (what griffinlim and compare do) keeps no state between them.
        using var reused = new GriffinLim(options);
        Assert.Equal(c, reused.Synthesize(mel, iterations: 4, seed: 2));
        Assert.Equal(a, reused.Synthesize(mel, iterations: 4, seed: 1));
    }

    [Fact]
    public void PseudoInverseIsARightInverseOfTheFilterbank()
    {
        // M · pinv(M) = I (n_mel × n_mel) when M has full row rank.
        var options = new MelOptions();
        var m = MelFilterbank.Create(options);
        var p = MelFilterbank.PseudoInverse(options);
        int nMel = 80, nFreq = 513;
        double maxErr = 0;
        for (int i = 0; i < nMel; i++)
            for (int j = 0; j < nMel; j++)
            {
                double s = 0;
                for (int k = 0; k < nFreq; k++) s += (double)m[i * nFreq + k] * p[k * nMel + j];
                maxErr = Math.Max(maxErr, Math.Abs(s - (i == j ? 1 : 0)));
            }
        Assert.True(maxErr < 1e-4, $"max |M·pinv(M) − I| {maxErr:E3}");
    }

    [Fact]
    public void TooShortMelIsAClearError()
    {
        var mel = new FloatArray(new float[80 * 2], [80, 2]);
        Assert.Throws<WaveFlowException>(() => GriffinLim.Synthesize(mel, new MelOptions(), 2));
    }
}
