using System.CommandLine;
using WaveFlow.Cli;
using WaveFlow.Cli.Commands;

namespace WaveFlow.Tests.Cli;

/// <summary><c>waveflow info CHECKPOINT</c> describes any checkpoint format and refuses bad files with exit code 2.</summary>
public class InfoCommandTests
{
    private static int Run(params string[] args)
    {
        var root = new RootCommand { InfoCommand.Create() };
        root.Options.Add(GlobalOptions.Device);
        root.Options.Add(GlobalOptions.Threads);
        try { return root.Parse(args).Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false }); }
        catch (WaveFlowException e) { return e.ExitCode; }
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
