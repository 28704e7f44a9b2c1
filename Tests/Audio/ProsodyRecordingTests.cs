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
        Assert.InRange(p.F0RmseCents!.Value, 85, 115);      // measured 100.5
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
}
