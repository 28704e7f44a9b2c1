using WaveFlow.Audio.Dsp.Prosody;
using WaveFlow.Audio.Wav;
using WaveFlow.Tests.Support;
using static WaveFlow.Tests.Audio.TestSignals;

namespace WaveFlow.Tests.Audio;

/// <summary>The pitch, voicing and tremolo measures on recordings, against themselves and against
/// edits made with sox (Tests/Fixtures/prosody/README.md has the commands).</summary>
public class ProsodyRecordingTests
{
    static float[] Read(params string[] path) => WavFile.Read(Fixture.Path_(path), new WavReadOptions()).Samples;
    static float[] Recording(string name) =>
        WavFile.Read(Path.Combine(AppContext.BaseDirectory, "samples", "wavs", name + ".wav"), new WavReadOptions()).Samples;

    [Theory]
    [InlineData("WF002-0069")]
    [InlineData("WF004-0150")]
    [InlineData("WF005-0255")]
    public void ARecordingAgainstItselfScoresZero(string name)
    {
        var rec = Recording(name);
        var p = ProsodyMetrics.Compare(rec, rec, Rate);
        Assert.True(p.VoicedFrames > 50, $"{p.VoicedFrames} voiced frames");
        Assert.Equal((0.0, 0.0, 0.0, 0.0), (p.F0RmseCents!.Value, p.VoicingError, p.HnrGapDb!.Value, p.TremoloIndex));
    }

    [Theory]
    [InlineData("WF002-0069")]
    [InlineData("WF004-0150")]
    [InlineData("WF005-0255")]
    public void TremoloAddedToARecordingRaisesTheIndexByTheDepthAdded(string name)
    {
        var rec = Recording(name);
        foreach (var depth in new[] { 0.1, 0.2, 0.4 })
            Assert.Equal(depth, ProsodyMetrics.Compare(rec, WithTremolo(rec, 6, depth), Rate).TremoloIndex, 0.02);
    }

    [Fact]
    public void SoxPitchShiftOf100CentsReadsAbout100CentsWithLittleVoicingError()
    {
        var p = ProsodyMetrics.Compare(Read("prosody", "rec.wav"), Read("prosody", "rec-pitch100.wav"), Rate);
        Assert.InRange(p.F0.FineRmseCents!.Value, 85, 115);
        Assert.True(p.VoicingError < 0.1, $"voicing error {p.VoicingError:P1}");
    }

    [Fact]
    public void SoxTremoloReadsAsTheDepthSoxWasGiven()
    {
        var rec = Read("prosody", "rec.wav");
        double at20 = ProsodyMetrics.Compare(rec, Read("prosody", "rec-tremolo-6-20.wav"), Rate).TremoloIndex;
        double at40 = ProsodyMetrics.Compare(rec, Read("prosody", "rec-tremolo-6-40.wav"), Rate).TremoloIndex;
        Assert.Equal(0.20, at20, 0.03);
        Assert.Equal(0.40, at40, 0.03);
        // sox's "depth 40" is a gain between 1 and 0.6, the definition the index uses
        Assert.Equal(0.40, Tremolo.Depth(Read("prosody", "tone-tremolo-6-40.wav"), Rate), 0.02);
        Assert.True(Tremolo.Depth(Read("prosody", "tone.wav"), Rate) < 0.01);
    }

    [Fact]
    public void WithoutVoicedFramesTheF0ErrorIsAbsentNotNaN()
    {
        var rng = new Random(2);
        var noise = Enumerable.Range(0, Rate).Select(_ => (float)(rng.NextDouble() - 0.5)).ToArray();
        var p = ProsodyMetrics.Compare(noise, noise.Select(v => v * 0.5f).ToArray(), Rate);
        Assert.Null(p.F0RmseCents);
        Assert.Null(p.HnrDb);
        Assert.Equal(0, p.VoicedFrames);
        Assert.False(double.IsNaN(p.VoicingError) || double.IsNaN(p.TremoloIndex));
        var silent = ProsodyMetrics.Compare(new float[Rate], new float[Rate], Rate);
        Assert.Equal((null, 0.0, 0.0), (silent.F0RmseCents, silent.VoicingError, silent.TremoloIndex));
    }

    [Theory]
    [InlineData("WF002-0069")]
    [InlineData("WF004-0150")]
    [InlineData("WF005-0255")]
    public void ALevelChangeOfSixDecibelsIsNoTremolo(string name)
    {
        var rec = Recording(name);
        foreach (var db in new[] { -6.0, 6.0 })
            Assert.True(Tremolo.Index(rec, Gain(rec, db), Rate) <= 0.03, $"{db:+0;-0} dB: {Tremolo.Index(rec, Gain(rec, db), Rate):F3}");   // measured 0.000
    }

    [Theory]
    [InlineData("WF002-0069")]
    [InlineData("WF004-0150")]
    [InlineData("WF005-0255")]
    public void ADelayUpTo20MsIsFoundAndIsNoTremolo(string name)
    {
        var rec = Recording(name);
        foreach (var ms in new[] { 1, 5, 10, 20 })
        {
            var t = Tremolo.Measure(rec, Delayed(rec, ms * Rate / 1000), Rate);
            Assert.True(t.Index <= 0.05, $"{ms} ms: index {t.Index:F3}");                      // measured at most 0.001
            Assert.Equal(ms, t.LagMs, 1.0);                                                     // found to 0.7 ms steps
        }
    }

    [Theory]
    [InlineData("WF002-0069")]
    [InlineData("WF004-0150")]
    [InlineData("WF005-0255")]
    public void NoiseAt10DbSnrChangesTheEnvelopeButIsNoTremolo(string name)
    {
        var rec = Recording(name);
        var t = Tremolo.Measure(rec, WithNoise(rec, 10), Rate);
        Assert.True(t.BroadbandIndex > 0.3, $"broadband {t.BroadbandIndex:F3}");   // the envelope does change (measured 0.45-0.46)
        Assert.True(t.Index <= 0.05, $"index {t.Index:F3}");                         // measured 0.010-0.016
    }

    [Fact]
    public void SoxNoiseAt10DbSnrIsNoTremoloAndKeepsThePitch()
    {
        var p = ProsodyMetrics.Compare(Read("prosody", "rec.wav"), Read("prosody", "rec-noise10.wav"), Rate);
        Assert.True(p.TremoloIndex <= 0.05, $"index {p.TremoloIndex:F3}");
        Assert.True(p.PitchWobbleCents < 10, $"wobble {p.PitchWobbleCents:F1} cents");
        Assert.True(p.F0.FineRmseCents < 10, $"fine F0 error {p.F0.FineRmseCents:F1} cents");
    }

    [Fact]
    public void SoxPitchShiftReadsAsAShiftNotAWobble()
    {
        var p = ProsodyMetrics.Compare(Read("prosody", "rec.wav"), Read("prosody", "rec-pitch100.wav"), Rate);
        Assert.InRange(p.F0.FineRmseCents!.Value, 90, 110);
        Assert.True(p.PitchWobbleCents < 15, $"wobble {p.PitchWobbleCents:F1} cents");   // sox's splices wobble a little
    }
}
