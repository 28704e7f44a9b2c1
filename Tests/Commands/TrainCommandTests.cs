using System.CommandLine;
using WaveFlow.Cli.Commands;
using WaveFlow.Tests.Support;
using WaveFlow.Training.Run;
using WaveFlow.Vocoder.Checkpoints;
using static TorchSharp.torch;

namespace WaveFlow.Tests.Commands;

public class TrainCommandTests
{
    private static int Run(params string[] args)
    {
        return CliRunner.Run(args);
    }

    [Fact]
    public void TrainsResumesAndLeavesWeightsTheLoaderReads()
    {
        using var tmp = new TempDir();
        var config = Path.Combine(AppContext.BaseDirectory, "configs", "waveflow-tiny.json");
        var run = tmp["run"];
        string[] common = ["--data", Fixture.Path_("corpus-mini"), "--out", run, "--device", "cpu", "--threads", "1"];
        Assert.Equal(0, Run(["train", "--config", config, "--iterations", "3", .. common]));
        Assert.Equal(3, new RunFolder(run).LatestIteration());
        Assert.Equal(2, Run(["train", "--config", config, "--iterations", "3", .. common]));   // the folder holds a run: refused
        Assert.Equal(0, Run(["train", "--out", run, "--resume", "--iterations", "5", "--device", "cpu", "--threads", "1"]));
        Assert.Equal(5, new RunFolder(run).LatestIteration());

        // The training checkpoints are ordinary WaveFlow checkpoints.
        var loaded = CheckpointLoader.Load(new RunFolder(run).ModelPath(5), CPU);
        using (loaded.Model) Assert.Equal((5L, 4), (loaded.Step, loaded.Options.NFlows));
    }

    [Fact]
    public void BadArgumentsExitWith2()
    {
        using var tmp = new TempDir();
        Assert.Equal(2, Run("train", "--config", tmp["missing.json"], "--data", Fixture.Path_("corpus-mini"), "--out", tmp["run"], "--device", "cpu"));
        Assert.Equal(2, Run("train", "--resume", "--device", "cpu"));
        Assert.Equal(2, Run("train", "--data", Fixture.Path_("corpus-mini"), "--out", tmp["run"], "--device", "cpu"));
        Assert.False(Directory.Exists(tmp["run"]));
    }
}
