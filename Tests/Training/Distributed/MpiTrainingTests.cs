using System.Diagnostics;
using System.Text.Json.Nodes;
using WaveFlow.Core;
using WaveFlow.Tests.Support;
using WaveFlow.Training.Run;
using static WaveFlow.Tests.Training.Distributed.DistributedRuns;

namespace WaveFlow.Tests.Training.Distributed;

/// <summary>
/// Data-parallel training under Open MPI's mpirun with CPU ranks: the equivalence that makes it
/// correct (N ranks × batch B = 1 rank × batch N·B), agreement on skipped steps, no hangs on a
/// failing or stalled rank, stop and resume, and rank 0 as the only writer.
/// </summary>
[Trait("Category", "Slow")]
[Collection(MultiProcessJobs.Name)]
public class MpiTrainingTests
{
    [SkippableTheory]
    [InlineData(2)]
    [InlineData(3)]
    public void RanksTimesBatchEqualOneRankAtTheCombinedBatch(int ranks)
    {
        MpiJob.RequireMpirun();
        using var tmp = new TempDir();
        TrainHere(Config(tmp, batch: ranks), tmp["single"], 4);
        var job = MpiJob.Run(ranks, Train(Config(tmp, batch: 1), tmp["multi"], 4), Limit);
        Assert.True(job.ExitCode == 0, job.ToString());

        double weights = MaxRelative(Weights(tmp["multi"], 4), Weights(tmp["single"], 4));
        Assert.True(weights <= 1e-5, $"weights after 4 steps differ by {weights:E2} (relative L2)");
        AssertSameLosses(Losses(tmp["single"]), Losses(tmp["multi"]), 1e-5);
        // Validation at iteration 3 is shared out over the ranks and summed back.
        var single = File.ReadAllLines(new RunFolder(tmp["single"]).ValidationLog)[1].Split(',');
        var multi = File.ReadAllLines(new RunFolder(tmp["multi"]).ValidationLog)[1].Split(',');
        Assert.True(Math.Abs(double.Parse(single[1]) - double.Parse(multi[1])) <= 1e-5, $"validation NLL {multi[1]} vs {single[1]}");
        Assert.True(Math.Abs(double.Parse(single[2]) - double.Parse(multi[2])) <= 1e-4, $"log-mel L1 {multi[2]} vs {single[2]}");

        // Rank 0 alone wrote the run folder and printed the summary.
        Assert.Equal(Files(tmp["single"]), Files(tmp["multi"]));
        Assert.Single(Directory.GetFiles(new RunFolder(tmp["multi"]).TensorBoardDir));
        Assert.Equal(1, CountOf(job.Stdout, "continue with"));
        Assert.DoesNotContain("rank ", job.Stderr);
    }

    [SkippableFact]
    public void ANanOnOneRankMakesEveryRankSkipTheStep()
    {
        MpiJob.RequireMpirun();
        using var tmp = new TempDir();
        // The reference: one process whose global batch holds the NaN at iteration 2 (slot 1 = rank 1's).
        TrainHere(Config(tmp, batch: 2), tmp["single"], 5, b =>
        {
            if (b.Iteration != 1) return b;
            var audio = (float[])b.Audio.Clone();
            audio[b.SegmentLength] = float.NaN;
            return b with { Audio = audio };
        });
        var job = MpiJob.Run(2, Train(Config(tmp, batch: 1), tmp["multi"], 5), Limit, new Dictionary<string, string> { ["WAVEFLOW_TEST_FAULT"] = "nan@1:2" });
        Assert.True(job.ExitCode == 0, job.ToString());
        Assert.Contains("iteration 2: loss NaN, step skipped (1 so far)", job.Stdout);

        // Rank 1 alone skipping (or rank 0 alone stepping) would pull the replicas apart.
        double weights = MaxRelative(Weights(tmp["multi"], 5), Weights(tmp["single"], 5));
        Assert.True(weights <= 1e-5, $"weights differ by {weights:E2}");
        var state = TrainerState.Load(new RunFolder(tmp["multi"]).StatePath(5), null);
        Assert.Equal((5L, 4L, 1L), (state.Iteration, state.OptimizerSteps, state.SkippedNonfinite));
    }

    [SkippableFact]
    public void ARankThatThrowsEndsTheJobWithItsError()
    {
        MpiJob.RequireMpirun();
        using var tmp = new TempDir();
        var job = MpiJob.Run(2, Train(Config(tmp, batch: 1), tmp["run"], 50), Limit, new Dictionary<string, string> { ["WAVEFLOW_TEST_FAULT"] = "throw@1:3" });
        Assert.False(job.TimedOut, job.ToString());
        Assert.NotEqual(0, job.ExitCode);
        Assert.Contains("rank 1: error: InvalidOperationException: injected fault at iteration 3", job.Stderr);
        Assert.True(job.Elapsed < TimeSpan.FromSeconds(60), $"took {job.Elapsed}");
    }

    [SkippableFact]
    public void TheWatchdogEndsAJobWhoseRankStalls()
    {
        MpiJob.RequireMpirun();
        using var tmp = new TempDir();
        var config = Config(tmp, batch: 1, dist: new JsonObject { ["dist_backend"] = "mpi", ["watchdog_seconds"] = 3 });
        var job = MpiJob.Run(2, Train(config, tmp["run"], 50), Limit, new Dictionary<string, string> { ["WAVEFLOW_TEST_FAULT"] = "stall@1:3" });
        Assert.False(job.TimedOut, job.ToString());
        Assert.NotEqual(0, job.ExitCode);
        Assert.Contains("rank 0: MPI all-reduce made no progress for 3 s", job.Stderr);
        Assert.True(job.Elapsed < TimeSpan.FromSeconds(60), $"took {job.Elapsed}");
    }

    [SkippableFact]
    public void StoppedAndKilledJobsResumeToTheSameWeights()
    {
        MpiJob.RequireMpirun();
        using var tmp = new TempDir();
        var config = Config(tmp, batch: 1);
        const long end = 12;
        var straight = MpiJob.Run(2, Train(config, tmp["straight"], end), Limit);
        Assert.True(straight.ExitCode == 0, straight.ToString());

        // SIGTERM to rank 1 alone (as a scheduler may deliver it): every rank stops after the same
        // step, rank 0 writes a checkpoint there, and the job exits 0.
        var stopped = MpiJob.Run(2, Train(config, tmp["stopped"], 1000), Limit, whileRunning: p =>
        {
            WaitForCheckpoint(tmp["stopped"], 2, p);
            int rank1 = MpiJob.RankPids(p).Max();    // ranks start in order; the later pid is rank 1's
            Process.Start("kill", ["-TERM", rank1.ToString()]).WaitForExit();
        });
        Assert.True(stopped.ExitCode == 0, stopped.ToString());
        Assert.Contains("a rank was asked to stop; every rank stops here", stopped.Stdout);
        long at = new RunFolder(tmp["stopped"]).LatestIteration()!.Value;
        Assert.InRange(at, 2, end - 1);
        var resumed = MpiJob.Run(2, Train(config, tmp["stopped"], end, resume: true), Limit);
        Assert.True(resumed.ExitCode == 0, resumed.ToString());
        Assert.True(MaxRelative(Weights(tmp["stopped"], end), Weights(tmp["straight"], end)) <= 1e-6);
        AssertSameLosses(Losses(tmp["straight"]), Losses(tmp["stopped"]), 1e-6);

        // SIGUSR1 to mpirun, which forwards it to every rank (on SIGTERM mpirun kills the ranks
        // after 1 s): the same clean stop, and mpirun exits 0.
        var viaLauncher = MpiJob.Run(2, Train(config, tmp["launcher"], 1000), Limit, whileRunning: p =>
        {
            WaitForCheckpoint(tmp["launcher"], 2, p);
            Process.Start("kill", ["-USR1", p.Id.ToString()]).WaitForExit();
        });
        Assert.True(viaLauncher.ExitCode == 0, viaLauncher.ToString());
        var stop = System.Text.RegularExpressions.Regex.Match(viaLauncher.Stdout, @"iteration (\d+): a rank was asked to stop; every rank stops here");
        Assert.True(stop.Success, viaLauncher.ToString());
        Assert.Equal(long.Parse(stop.Groups[1].Value), new RunFolder(tmp["launcher"]).LatestIteration());   // a checkpoint right there
        Assert.DoesNotContain("rank ", viaLauncher.Stderr);

        // SIGKILL to every process after a checkpoint: resume continues from `latest`.
        var killed = MpiJob.Run(2, Train(config, tmp["killed"], 1000), Limit, whileRunning: p =>
        {
            WaitForCheckpoint(tmp["killed"], 4, p);
            foreach (int pid in MpiJob.RankPids(p)) Process.Start("kill", ["-KILL", pid.ToString()]).WaitForExit();
        });
        Assert.NotEqual(0, killed.ExitCode);
        var again = MpiJob.Run(2, Train(config, tmp["killed"], end, resume: true), Limit);
        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.True(MaxRelative(Weights(tmp["killed"], end), Weights(tmp["straight"], end)) <= 1e-6);
        AssertSameLosses(Losses(tmp["straight"]), Losses(tmp["killed"]), 1e-6);
    }

    [SkippableFact]
    public void ResumingWithAnotherWorldSizeSaysTheDataOrderChanges()
    {
        MpiJob.RequireMpirun();
        using var tmp = new TempDir();
        var config = Config(tmp, batch: 1);
        var first = MpiJob.Run(2, Train(config, tmp["run"], 2), Limit);
        Assert.True(first.ExitCode == 0, first.ToString());
        var alone = MpiJob.Alone(Train(config, tmp["run"], 3, backend: "none", resume: true), Limit);
        Assert.True(alone.ExitCode == 0, alone.ToString());
        Assert.Contains("resumed as 1 process, the run had 2: the global batch is now 1 clips instead of 2, so the data order from here differs",
            System.Text.RegularExpressions.Regex.Replace(alone.Stdout, @"\s+", " "));     // the console wraps long lines
    }

    [SkippableFact]
    public void RanksWithDifferentConfigsFailBeforeWritingAnything()
    {
        MpiJob.RequireMpirun();
        using var tmp = new TempDir();
        var a = Config(tmp, batch: 1);
        var b = Config(tmp, batch: 1, new JsonObject { ["learning_rate"] = 0.01 });
        var job = MpiJob.RunEach([Train(a, tmp["run"], 2), Train(b, tmp["run"], 2)], Limit);
        Assert.False(job.TimedOut, job.ToString());
        Assert.Equal(2, job.ExitCode);
        // Every rank says it (rank 0 which ranks differ, rank 1 which of its files), then all exit.
        Assert.Contains("rank 0: error: rank 1 trains another config, data split or model than rank 0; start every rank with the same --config", job.Stderr);
        Assert.Contains($"rank 1: error: rank 1 trains another config, data split or model than rank 0: this rank's config {b} with data", job.Stderr);
        Assert.False(Directory.Exists(tmp["run"]));
    }

    [SkippableFact]
    public void AGlobalBatchLargerThanTheCorpusIsRefusedBeforeWritingAnything()
    {
        MpiJob.RequireMpirun();
        using var tmp = new TempDir();
        var job = MpiJob.Run(3, Train(Config(tmp, batch: 2), tmp["run"], 2), Limit);
        Assert.False(job.TimedOut, job.ToString());
        Assert.Equal(2, job.ExitCode);
        Assert.Contains("4 remain for training, fewer than 3 processes × train_config.batch_size 2 = 6 clips per step", job.Stderr);
        Assert.False(Directory.Exists(tmp["run"]));
    }

    [SkippableFact]
    public void AMissingMpiLibraryIsOneLineNamingIt()
    {
        using var tmp = new TempDir();
        var job = MpiJob.Alone(Train(Config(tmp, batch: 1), tmp["run"], 2), Limit,
            new Dictionary<string, string> { ["WAVEFLOW_MPI_LIB"] = "/nonexistent/libmpi.so.40" });
        Assert.Equal(1, job.ExitCode);
        var line = Assert.Single(job.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("the MPI library (Open MPI) could not be loaded: looked for /nonexistent/libmpi.so.40; install Open MPI", line);
        Assert.False(Directory.Exists(tmp["run"]));
    }

    private static int CountOf(string text, string what) =>
        (text.Length - text.Replace(what, "", StringComparison.Ordinal).Length) / what.Length;

    private static void WaitForCheckpoint(string run, long atLeast, Process job)
    {
        var folder = new RunFolder(run);
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(90) && !job.HasExited)
        {
            try
            {
                if (folder.LatestIteration() >= atLeast) return;
            }
            catch (WaveFlowException) { /* latest being replaced right now */ }
            Thread.Sleep(50);
        }
        throw new TimeoutException($"no checkpoint ≥ {atLeast} in {run} after {clock.Elapsed}");
    }
}
