using WaveFlow.Audio.Dsp.Prosody;
using static WaveFlow.Tests.Audio.TestSignals;

namespace WaveFlow.Tests.Audio;

/// <summary>The tremolo index reads back modulation depths put into signals.</summary>
public class TremoloTests
{
    [Theory]
    [InlineData(0.10)]
    [InlineData(0.20)]
    [InlineData(0.40)]
    public void SixHertzModulationOfAToneReadsBackItsDepth(double depth)
    {
        var tone = Harmonic(3, _ => 220);
        var modulated = WithTremolo(tone, 6, depth);
        Assert.Equal(depth, Tremolo.Depth(modulated, Rate), 0.02);          // of the signal alone
        Assert.Equal(depth, Tremolo.Index(tone, modulated, Rate), 0.02);    // relative to the plain tone
    }

    [Fact]
    public void TheUnmodulatedToneReadsAboutZero()
    {
        var tone = Harmonic(3, _ => 220);
        Assert.True(Tremolo.Depth(tone, Rate) < 0.005, $"{Tremolo.Depth(tone, Rate):F4}");
        Assert.Equal(0, Tremolo.Index(tone, tone, Rate));
    }

    [Fact]
    public void ModulationOutsideTheBandDoesNotCount()
    {
        var tone = Harmonic(3, _ => 220);
        // 1 Hz is prosody, 30 Hz roughness: neither is tremolo
        Assert.True(Tremolo.Index(tone, WithTremolo(tone, 1, 0.4), Rate) < 0.05);
        Assert.True(Tremolo.Index(tone, WithTremolo(tone, 30, 0.4), Rate) < 0.05);
    }
}
