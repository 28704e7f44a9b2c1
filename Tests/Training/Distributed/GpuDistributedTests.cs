using WaveFlow.Core.Runtime;
using WaveFlow.Tests.Support;
using static WaveFlow.Tests.Training.Distributed.DistributedRuns;

namespace WaveFlow.Tests.Training.Distributed;

/// <summary>
/// NCCL and GPU ranks. They run where a CUDA device is present (and mpirun for the multi-rank
/// ones) and are reported as skipped elsewhere; scripts/device-check.sh runs the same checks on
/// a GPU machine without .NET.
/// </summary>
[Trait("Category", "Slow")]
[Trait("Device", "Cuda")]
[Collection(MultiProcessJobs.Name)]
public class GpuDistributedTests
{
    private static void RequireCuda()
    {
        TorchRuntime.EnsureLoaded();
        Skip.IfNot(TorchSharp.torch.cuda.is_available(), "no CUDA device on this machine");
    }

    private static string[] OnGpu(string[] args, string device) =>
        [.. args.Select(a => a == "cpu" ? device : a)];

    [SkippableFact]
    public void NcclWithOneRankEqualsThePlainStep()
    {
        RequireCuda();
        using var tmp = new TempDir();
        var config = Config(tmp, batch: 2);
        var plain = MpiJob.Alone(OnGpu(Train(config, tmp["plain"], 4, backend: "none"), "cuda"), Limit);
        Assert.True(plain.ExitCode == 0, plain.ToString());
        var nccl = MpiJob.Alone(OnGpu(Train(config, tmp["nccl"], 4, backend: "nccl"), "cuda"), Limit);
        Assert.True(nccl.ExitCode == 0, nccl.ToString());
        Assert.True(MaxRelative(Weights(tmp["nccl"], 4), Weights(tmp["plain"], 4)) <= 1e-5);
    }

    [SkippableFact]
    public void TwoNcclRanksOnOneGpuFailNamingTheCause()
    {
        RequireCuda();
        MpiJob.RequireMpirun();
        using var tmp = new TempDir();
        var job = MpiJob.Run(2, OnGpu(Train(Config(tmp, batch: 1), tmp["run"], 2, backend: "nccl"), "cuda:0"), Limit);
        Assert.False(job.TimedOut, job.ToString());
        Assert.Equal(2, job.ExitCode);
        Assert.Contains("ranks 0 and 1 both use GPU 0", job.Stderr);
        Assert.Contains("NCCL needs one GPU per rank", job.Stderr);
        Assert.False(Directory.Exists(tmp["run"]));
    }

    [SkippableFact]
    public void MpiRanksSharingOneGpuEqualOneRankAtTheCombinedBatch()
    {
        RequireCuda();
        MpiJob.RequireMpirun();
        using var tmp = new TempDir();
        var single = MpiJob.Alone(OnGpu(Train(Config(tmp, batch: 2), tmp["single"], 4, backend: "none"), "cuda:0"), Limit);
        Assert.True(single.ExitCode == 0, single.ToString());
        var job = MpiJob.Run(2, OnGpu(Train(Config(tmp, batch: 1), tmp["multi"], 4), "cuda:0"), Limit);
        Assert.True(job.ExitCode == 0, job.ToString());
        // cuDNN picks algorithms per batch size, so the tolerance is that of GPU arithmetic.
        Assert.True(MaxRelative(Weights(tmp["multi"], 4), Weights(tmp["single"], 4)) <= 1e-4);
    }
}
