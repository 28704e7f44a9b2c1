using WaveFlow.Audio;
using WaveFlow.Audio.Dsp;
using WaveFlow.Evaluation.Comparison;

namespace WaveFlow.Tests.Evaluation;

public class ClipScorerTests
{
    static readonly MelOptions Mel = new() { NMelChannels = 16 };

    static float[] Chirp(int n, double gain) =>
        Enumerable.Range(0, n).Select(i => (float)(gain * Math.Sin(2 * Math.PI * (200 + 0.02 * i) * i / 22050.0))).ToArray();

    [Fact]
    public void TheRecordingScoresZeroAgainstItselfAndAWorseCopyScoresWorse()
    {
        var audio = Chirp(256 * 40, 0.3);
        var clip = new InputClip("c", new MelSpectrogram(Mel).Compute(audio), audio);
        var scorer = new ClipScorer(Mel);
        var (same, _) = scorer.Score(clip, audio, "truth");
        Assert.Equal((0.0, 0.0, 0.0), (same.LogMelL1!.Value, same.Mcd!.Value, same.SpectralConvergence!.Value));

        var rng = new Random(1);
        var noisy = audio.Select(x => x + (float)(0.05 * (rng.NextDouble() - 0.5))).ToArray();
        var noisier = audio.Select(x => x + (float)(0.3 * (rng.NextDouble() - 0.5))).ToArray();
        var (a, _) = scorer.Score(clip, noisy, "a");
        var (b, _) = scorer.Score(clip, noisier, "b");
        Assert.True(b.LogMelL1 > a.LogMelL1 && b.Mcd > a.Mcd && b.SpectralConvergence > a.SpectralConvergence);

        // The recording's STFT is reused across systems (and shorter outputs): the scores are
        // those of a fresh comparison of the two signals.
        foreach (var (output, score) in new[] { (noisy, a), (noisier, b), (noisy[..(256 * 30)], scorer.Score(clip, noisy[..(256 * 30)], "short").Score) })
        {
            var fresh = SpectralMetrics.Compare(audio, output, Mel);
            Assert.Equal((fresh.LogMelL1, fresh.MelCepstralDistortion, fresh.SpectralConvergence),
                         (score.LogMelL1!.Value, score.Mcd!.Value, score.SpectralConvergence!.Value));
        }
    }

    [Fact]
    public void WithoutARecordingOnlyTheMelErrorApplies()
    {
        // white noise fills every mel band far above the log floor
        var rng = new Random(5);
        var audio = Enumerable.Range(0, 256 * 30).Select(_ => (float)(0.6 * (rng.NextDouble() - 0.5))).ToArray();
        var mel = new MelSpectrogram(Mel).Compute(audio);
        var half = audio.Select(x => x / 2).ToArray();
        var (score, outMel) = new ClipScorer(Mel).Score(new InputClip("c", mel, null), half, "half");
        // half the amplitude: every log-mel bin drops by exactly ln 2
        Assert.Equal(Math.Log(2), score.LogMelL1!.Value, 5);
        Assert.Equal(SpectralMetrics.LogMelL1(mel, outMel), score.LogMelL1!.Value, 12);
        Assert.Null(score.Mcd);
        Assert.Null(score.SpectralConvergence);
    }

    [Fact]
    public void GriffinLimRendersTheRecordingsLength()
    {
        var audio = Chirp(256 * 24, 0.3);
        var clip = new InputClip("c", new MelSpectrogram(Mel).Compute(audio), audio);
        using var gl = new GriffinLimRenderer(Mel);
        var a = gl.Render(clip, 3);
        Assert.Equal(audio.Length, a.Length);
        Assert.Equal(a, gl.Render(clip, 3)); // seeded
        Assert.Null(gl.Nll(clip));
    }
}
