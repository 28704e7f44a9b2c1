using System.CommandLine;
using WaveFlow.Cli;
using WaveFlow.Cli.Commands;

namespace WaveFlow.Tests.Cli;

/// <summary><c>waveflow info CHECKPOINT</c> describes any checkpoint format and refuses bad files with exit code 2.</summary>
public class InfoCommandTests
{
    private static int Run(params string[] args)
    {
        return CliRunner.Run(args);
    }

    [Fact]
    public void DescribesCheckpointsAndRefusesBadOnes()
    {
        Assert.Equal(0, Run("info", Fixture.Path_("micro", "nvidia_checkpoint.pt"), "--device", "cpu"));
        Assert.Equal(0, Run("info", Fixture.Path_("micro-legacy", "nvidia_checkpoint_legacy.pt"), "--device", "cpu"));
        Assert.Equal(2, Run("info", Fixture.Path_("micro", "no-such-checkpoint.pt"), "--device", "cpu"));
        Assert.Equal(2, Run("info", Fixture.Path_("micro", "forward.mel.npy"), "--device", "cpu"));
    }
}
