using System.Globalization;
using WaveFlow.Audio.Dsp.Prosody;
using WaveFlow.Audio.Wav;
using WaveFlow.Tests.Support;
using static WaveFlow.Tests.Audio.TestSignals;

namespace WaveFlow.Tests.Audio;

/// <summary>
/// The pitch tracker against an independent one: Praat 6.3's To Pitch (ac), run by
/// scripts/praat-tracks.sh on the same files with its frames put on ours (Tests/Fixtures/praat;
/// Praat is not needed here). Files: the shipped sample recordings, the test corpus clips and the
/// sox edits of Tests/Fixtures/prosody.
/// </summary>
public class PraatAgreementTests
{
    static IReadOnlyList<string> Names() =>
        Directory.GetFiles(Fixture.Path_("praat"), "*.f0").Select(f => Path.GetFileNameWithoutExtension(f)).Order().ToList();

    public static IEnumerable<object[]> Files() => Names().Select(n => new object[] { n });

    static string Wav(string name)
    {
        foreach (var candidate in new[]
        {
            Path.Combine(AppContext.BaseDirectory, "samples", "wavs", name + ".wav"),
            Fixture.Path_("corpus-mini", "wavs", name + ".wav"),
            Fixture.Path_("prosody", name + ".wav"),
        })
            if (File.Exists(candidate)) return candidate;
        throw new FileNotFoundException($"no WAV for the Praat track {name}");
    }

    /// <summary>Praat's F0 per frame (0 = unvoiced).</summary>
    static double[] Praat(string name) => File.ReadLines(Fixture.Path_("praat", name + ".f0")).Where(l => !l.StartsWith('#'))
        .Select(l => double.Parse(l.Split(' ')[1], CultureInfo.InvariantCulture)).ToArray();

    static (PitchTrack Ours, double[] Praat) Tracks(string name) =>
        (PitchTracker.Track(WavFile.Read(Wav(name), new WavReadOptions()).Samples, Rate), Praat(name));

    [Fact]
    public void EveryFileHasATrackOfTheSameLength()
    {
        Assert.True(Names().Count >= 14, $"{Names().Count} Praat tracks");
        foreach (var name in Names())
        {
            var (ours, praat) = Tracks(name);
            Assert.Equal(ours.Frames, praat.Length);
        }
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void VoicingAgreesWithPraatOnAtLeast90PercentOfFrames(string name)
    {
        var (ours, praat) = Tracks(name);
        int agree = Enumerable.Range(0, ours.Frames).Count(j => ours.Voiced[j] == praat[j] > 0);
        Assert.True(agree >= 0.90 * ours.Frames, $"{name}: voicing agrees on {agree} of {ours.Frames} frames");   // measured 91.2-95.6 %
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void F0AgreesWithPraatWhereBothVoice(string name)
    {
        var (ours, praat) = Tracks(name);
        var cents = Enumerable.Range(0, ours.Frames).Where(j => ours.Voiced[j] && praat[j] > 0)
            .Select(j => 1200 * Math.Log2(ours.F0[j] / praat[j])).ToList();
        Assert.True(cents.Count > 50, $"{name}: {cents.Count} frames voiced by both");
        // Praat's octave jumps are single frames; they are counted, not averaged
        var gross = cents.Count(c => Math.Abs(c) > 1200 * Math.Log2(1 + F0Errors.GrossRatio));
        var fine = cents.Where(c => Math.Abs(c) <= 1200 * Math.Log2(1 + F0Errors.GrossRatio)).ToList();
        double rms = Math.Sqrt(fine.Average(c => c * c)), median = fine.Order().ElementAt(fine.Count / 2);
        Assert.True(gross <= 0.03 * cents.Count, $"{name}: {gross} of {cents.Count} frames more than 20 % apart");
        // measured: median 0.0-3.2 cents, RMS 10-33 cents (a few frames at voicing edges), at most 4 gross frames
        Assert.True(rms < 40, $"{name}: fine F0 differs from Praat's by {rms:F1} cents RMS, median {median:F1}, gross {gross} of {cents.Count}");
        Assert.True(Math.Abs(median) < 5, $"{name}: median difference {median:F1} cents");
    }

    [Fact]
    public void PooledVoicingErrorsAreSmallBothWays()
    {
        int praatVoiced = 0, praatUnvoiced = 0, missed = 0, added = 0;
        foreach (var name in Names())
        {
            var (ours, praat) = Tracks(name);
            for (int j = 0; j < ours.Frames; j++)
            {
                if (praat[j] > 0) { praatVoiced++; if (!ours.Voiced[j]) missed++; }
                else { praatUnvoiced++; if (ours.Voiced[j]) added++; }
            }
        }
        double vToUv = (double)missed / praatVoiced, uvToV = (double)added / praatUnvoiced;
        Assert.True(vToUv < 0.05, $"Praat-voiced frames we leave unvoiced: {vToUv:P1}");     // measured 2.4 %
        Assert.True(uvToV < 0.20, $"Praat-unvoiced frames we voice: {uvToV:P1}");           // measured 14.4 %
    }
}
