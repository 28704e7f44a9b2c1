using WaveFlow.Tests.Support;

namespace WaveFlow.Tests.Commands;

/// <summary><c>waveflow info CHECKPOINT</c> describes any checkpoint format and refuses bad files with exit code 2.</summary>
public class InfoCommandTests
{
    [Fact]
    public void DescribesCheckpointsAndRefusesBadOnes()
    {
        Assert.Equal(0, CliRunner.Run("info", Fixture.Path_("micro", "nvidia_checkpoint.pt"), "--device", "cpu"));
        Assert.Equal(0, CliRunner.Run("info", Fixture.Path_("micro-legacy", "nvidia_checkpoint_legacy.pt"), "--device", "cpu"));
        Assert.Equal(2, CliRunner.Run("info", Fixture.Path_("micro", "no-such-checkpoint.pt"), "--device", "cpu"));
        Assert.Equal(2, CliRunner.Run("info", Fixture.Path_("micro", "forward.mel.npy"), "--device", "cpu"));
    }
}
