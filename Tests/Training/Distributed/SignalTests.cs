using System.Diagnostics;
using WaveFlow.Core;
using WaveFlow.Tests.Support;
using WaveFlow.Training.Run;
using static WaveFlow.Tests.Training.Distributed.DistributedRuns;

namespace WaveFlow.Tests.Training.Distributed;

/// <summary>SIGTERM, what clusters send before preempting a job, on a plain (single-process) run.</summary>
[Collection(MultiProcessJobs.Name)]
public class SignalTests
{
    [Fact]
    public void SigtermStopsAfterTheCurrentStepWithACheckpointAndExitsZero()
    {
        using var tmp = new TempDir();
        var config = Config(tmp, batch: 2);
        var job = MpiJob.Alone(Train(config, tmp["run"], 100000, backend: "none"), Limit, whileRunning: p =>
        {
            var folder = new RunFolder(tmp["run"]);
            var clock = Stopwatch.StartNew();
            while (clock.Elapsed < TimeSpan.FromSeconds(90) && !p.HasExited)
            {
                try { if (folder.LatestIteration() >= 2) break; } catch (WaveFlowException) { }
                Thread.Sleep(50);
            }
            Process.Start("kill", ["-TERM", p.Id.ToString()]).WaitForExit();
        });
        Assert.True(job.ExitCode == 0, job.ToString());
        Assert.Contains("SIGTERM: stopping after this step; writing a checkpoint", job.Stdout);
        var folder = new RunFolder(tmp["run"]);
        var state = TrainerState.Load(folder.StatePath(folder.LatestIteration()!.Value), null);
        Assert.InRange(state.Iteration, 2, 99999);
        // The stop iteration's checkpoint is the newest, and the run resumes from it.
        Assert.Equal(state.Iteration, folder.CheckpointIterations().Max());
        var resumed = MpiJob.Alone(Train(config, tmp["run"], state.Iteration + 1, backend: "none", resume: true), Limit);
        Assert.True(resumed.ExitCode == 0, resumed.ToString());
        Assert.Equal(state.Iteration + 1, folder.LatestIteration());
    }
}
