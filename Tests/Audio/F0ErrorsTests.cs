using WaveFlow.Audio.Dsp.Prosody;
using static WaveFlow.Tests.Audio.TestSignals;

namespace WaveFlow.Tests.Audio;

/// <summary>F0 errors split into gross errors and fine error, and the voicing errors each way, on
/// tracks and tones with known truth.</summary>
public class F0ErrorsTests
{
    static PitchTrack Track(double[] f0) =>
        new(f0, f0.Select(f => f > 0).ToArray(), f0.Select(_ => 0.9).ToArray(), f0.Select(_ => 1.0).ToArray(), Rate, 256);

    [Fact]
    public void OctaveErrorsAreGrossAndLeaveTheFineErrorAlone()
    {
        // 100 frames voiced in both: 10 an octave up, the rest 20 cents sharp
        var reference = Track(Enumerable.Repeat(150.0, 100).ToArray());
        var output = Track(Enumerable.Range(0, 100).Select(j => j < 10 ? 300 : 150 * Math.Pow(2, 20.0 / 1200)).ToArray());
        var e = F0Errors.Measure(reference, output);
        Assert.Equal(0.10, e.GrossErrorRate!.Value, 1e-9);
        Assert.Equal((10, 90, 100), (e.GrossFrames, e.FineFrames, e.BothVoiced));
        Assert.Equal(20, e.FineRmseCents!.Value, 1e-6);
        Assert.Equal(Math.Sqrt((10 * 1200.0 * 1200 + 90 * 400) / 100), e.RmseCents!.Value, 1e-6);   // 380 cents: what one number hides
    }

    [Fact]
    public void VoicingErrorsCountEachWayAgainstTheRecordingsOwnFrames()
    {
        // the recording: 60 voiced frames, then 40 unvoiced; the output drops 15 voiced frames and voices 4 unvoiced ones
        var reference = Track(Enumerable.Range(0, 100).Select(j => j < 60 ? 120.0 : 0).ToArray());
        var output = Track(Enumerable.Range(0, 100).Select(j => j < 45 || (j >= 60 && j < 64) ? 120.0 : 0).ToArray());
        var e = F0Errors.Measure(reference, output);
        Assert.Equal(0.75, e.Coverage!.Value, 1e-9);             // 45 of 60
        Assert.Equal(0.25, e.VoicedToUnvoiced!.Value, 1e-9);     // 15 of 60
        Assert.Equal(0.10, e.UnvoicedToVoiced!.Value, 1e-9);     // 4 of 40
        Assert.Equal((60, 40), (e.ReferenceVoiced, e.ReferenceUnvoiced));
    }

    [Fact]
    public void AWhisperingOutputHasNoF0ButItsZeroCoverageIsMeasured()
    {
        var tone = Harmonic(2, Glide(2));
        var p = ProsodyMetrics.Compare(tone, NoiseShapedLike(tone), Rate);
        Assert.Null(p.F0RmseCents);
        Assert.Null(p.F0.GrossErrorRate);
        Assert.True(p.F0.Coverage < 0.02, $"coverage {p.F0.Coverage:P1}");
        Assert.True(p.F0.ReferenceVoiced > 150, $"{p.F0.ReferenceVoiced} voiced frames in the recording");
    }

    [Fact]
    public void ATrackedOctaveJumpOfAToneIsAGrossErrorAndTheRestIsFine()
    {
        // the output's tone jumps an octave up for 0.5 s of 2 s: about a quarter of the frames
        var reference = Harmonic(2, _ => 150);
        var output = Harmonic(2, t => t >= 1 && t < 1.5 ? 300 : 150);
        var e = ProsodyMetrics.Compare(reference, output, Rate).F0;
        Assert.InRange(e.GrossErrorRate!.Value, 0.22, 0.28);
        Assert.True(e.FineRmseCents < 5, $"fine error {e.FineRmseCents:F1} cents");
    }
}
