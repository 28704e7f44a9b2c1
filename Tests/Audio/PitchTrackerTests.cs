using WaveFlow.Audio.Dsp.Prosody;
using static WaveFlow.Tests.Audio.TestSignals;

namespace WaveFlow.Tests.Audio;

/// <summary>The YIN tracker against tones whose F0 contour is known exactly.</summary>
public class PitchTrackerTests
{
    /// <summary>RMS error in cents over voiced frames away from the edges, and the voiced share there.</summary>
    static (double Cents, double VoicedShare) Against(float[] audio, Func<double, double> truth)
    {
        var track = PitchTracker.Track(audio, Rate);
        double sum = 0; int voiced = 0, inner = 0;
        for (int j = 0; j < track.Frames; j++)
        {
            double t = track.FrameSeconds(j);
            if (t < 0.05 || t > (double)audio.Length / Rate - 0.05) continue;   // half-empty edge frames
            inner++;
            if (!track.Voiced[j]) continue;
            voiced++;
            double c = 1200 * Math.Log2(track.F0[j] / truth(t));
            sum += c * c;
        }
        return (Math.Sqrt(sum / Math.Max(1, voiced)), (double)voiced / inner);
    }

    [Fact]
    public void AGlideIsTrackedWithinThreeCents()
    {
        const double seconds = 2;
        var (cents, voiced) = Against(Harmonic(seconds, Glide(seconds)), Glide(seconds));
        Assert.True(voiced > 0.98, $"voiced share {voiced:P1}");
        Assert.True(cents < 3, $"F0 RMS error {cents:F2} cents");   // measured 0.8
    }

    [Fact]
    public void VibratoIsTrackedWithinEightCents()
    {
        var (cents, voiced) = Against(Harmonic(2, Vibrato), Vibrato);
        Assert.True(voiced > 0.98, $"voiced share {voiced:P1}");
        Assert.True(cents < 8, $"F0 RMS error {cents:F2} cents");   // measured 3.8: the 46 ms window averages a moving F0
    }

    [Fact]
    public void NoiseWithTheSameEnvelopeIsUnvoicedAndSilenceTooAndNothingIsNaN()
    {
        var tone = Harmonic(2, Vibrato);
        var track = PitchTracker.Track(NoiseShapedLike(tone), Rate);
        Assert.True(track.Voiced.Count(v => v) <= track.Frames / 50, $"{track.Voiced.Count(v => v)} of {track.Frames} noise frames voiced");

        var silent = PitchTracker.Track(new float[Rate], Rate);
        Assert.DoesNotContain(true, silent.Voiced);
        Assert.All(silent.F0, f => Assert.Equal(0, f));
        Assert.All(silent.Periodicity, p => Assert.False(double.IsNaN(p)));
    }

    [Fact]
    public void FramesSitOnTheMelHop()
    {
        var track = PitchTracker.Track(new float[256 * 10], Rate);
        Assert.Equal(11, track.Frames);            // like the mel: T = k·hop samples give k + 1 frames
    }
}
