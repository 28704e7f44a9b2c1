using WaveFlow.Audio.Dsp.Prosody;
using static WaveFlow.Tests.Audio.TestSignals;

namespace WaveFlow.Tests.Audio;

/// <summary>The pitch wobble against tones whose F0 contours are known: a vibrato around the
/// recording's contour reads its RMS; a constant shift, tremolo or noise read little.</summary>
public class PitchWobbleTests
{
    const double Seconds = 3;
    static readonly Func<double, double> Contour = Glide(Seconds);

    /// <summary>The glide with a 5.5 Hz vibrato of ± <paramref name="cents"/> around it.</summary>
    static Func<double, double> WithVibrato(double cents) => t => Contour(t) * Math.Pow(2, cents / 1200 * Math.Sin(2 * Math.PI * 5.5 * t));

    static ProsodyScores Compare(float[] reference, float[] output) => ProsodyMetrics.Compare(reference, output, Rate);

    [Fact]
    public void AVibratoOfPlusMinus50CentsReadsItsRmsOf35Cents()
    {
        var p = Compare(Harmonic(Seconds, Contour), Harmonic(Seconds, WithVibrato(50)));
        // 50/√2 = 35.4; the tracker's 46 ms window averages a 5.5 Hz vibrato down by about 10 % (measured 31.8)
        Assert.InRange(p.PitchWobbleCents!.Value, 30, 40);
        Assert.True(p.Wobble.Frames > 200, $"{p.Wobble.Frames} frames");
    }

    [Fact]
    public void AConstantShiftOf35CentsReadsNoWobbleThoughItsF0RmseIs35()
    {
        var p = Compare(Harmonic(Seconds, Contour), Harmonic(Seconds, t => Contour(t) * Math.Pow(2, 35.0 / 1200)));
        Assert.Equal(35, p.F0RmseCents!.Value, 2.0);                        // measured 35.0
        Assert.True(p.PitchWobbleCents < 10, $"wobble {p.PitchWobbleCents:F1} cents");   // measured 0.7
    }

    [Fact]
    public void AmplitudeTremoloAndNoiseAt10DbSnrReadUnder10Cents()
    {
        var tone = Harmonic(Seconds, Contour);
        var tremolo = Compare(tone, WithTremolo(tone, 6, 0.4));
        var noise = Compare(tone, WithNoise(tone, 10));
        Assert.True(tremolo.PitchWobbleCents < 10, $"tremolo: wobble {tremolo.PitchWobbleCents:F1} cents");   // measured 1.4
        Assert.True(noise.PitchWobbleCents < 10, $"noise: wobble {noise.PitchWobbleCents:F1} cents");         // measured 5.0
    }

    [Fact]
    public void OctaveJumpsAreSetAsideAndShortStretchesDoNotCount()
    {
        // the recording at 200 Hz; the output a vibrato of ±50 cents with every 10th frame an octave up
        var reference = Track(Enumerable.Repeat(200.0, 200).ToArray());
        var outF0 = Enumerable.Range(0, 200).Select(j => 200 * Math.Pow(2, 50.0 / 1200 * Math.Sin(2 * Math.PI * j / 16.0)) * (j % 10 == 5 ? 2 : 1)).ToArray();
        var w = PitchWobble.Measure(reference, Track(outF0));
        Assert.Equal(50 / Math.Sqrt(2), w.Cents!.Value, 1.5);
        Assert.Equal(180, w.Frames);            // the 20 octave jumps left out

        // voiced in both only in stretches of 11 frames: too short to tell a wobble from a trend
        var gappy = outF0.Select((f, j) => j % 12 == 11 ? 0 : f).ToArray();
        Assert.Null(PitchWobble.Measure(reference, Track(gappy)).Cents);
    }

    /// <summary>A pitch track with the given F0 per frame (0 = unvoiced).</summary>
    static PitchTrack Track(double[] f0) =>
        new(f0, f0.Select(f => f > 0).ToArray(), f0.Select(_ => 0.9).ToArray(), f0.Select(_ => 1.0).ToArray(), Rate, 256);
}
