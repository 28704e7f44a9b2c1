using TorchSharp;
using WaveFlow.Core;
using WaveFlow.Core.Runtime;
using WaveFlow.Training.Config;
using static TorchSharp.torch;

namespace WaveFlow.Training.Distributed;

/// <summary>
/// Decides how this process takes part in training and starts it:
/// <list type="bullet">
/// <item><c>none</c>: one process, as without a launcher;</item>
/// <item><c>mpi</c>: MPI collectives (CPU ranks, or GPU ranks through host memory);</item>
/// <item><c>nccl</c>: NCCL collectives between GPUs, MPI to start up.</item>
/// </list>
/// Without <c>--distributed</c>, a job started by a launcher with more than one process takes
/// the config's <c>dist_config.dist_backend</c> (nccl on CUDA, else mpi); a plain process trains
/// alone. On CUDA, <c>--device cuda</c> (or auto) means GPU <c>local rank</c> of this machine;
/// <c>cuda:N</c> pins every rank to GPU N. All GPUs stay visible to every rank (NVLink needs it).
/// </summary>
internal static class DistributedLaunch
{
    public static readonly string[] Choices = ["none", "mpi", "nccl"];

    /// <summary>The world size the launcher announced to this process, if any: Open MPI's mpirun
    /// (OMPI_COMM_WORLD_SIZE), PMI/PMI2 launchers (PMI_SIZE), or a Slurm step started by srun with
    /// PMIx (PMIX_RANK with SLURM_STEP_NUM_TASKS). A batch script's own environment (SLURM_NTASKS
    /// without a step) does not count: a plain process there trains alone.</summary>
    public static int? LauncherWorldSize()
    {
        static int? Read(string variable) =>
            int.TryParse(Environment.GetEnvironmentVariable(variable), out int n) && n > 0 ? n : null;
        if (Read("OMPI_COMM_WORLD_SIZE") is { } ompi) return ompi;
        if (Read("PMI_SIZE") is { } pmi) return pmi;
        if (Environment.GetEnvironmentVariable("PMIX_RANK") is not null && Read("SLURM_STEP_NUM_TASKS") is { } step) return step;
        return null;
    }

    public static string Resolve(string? option, DistOptions config, string deviceSpec)
    {
        if (option is not null)
        {
            if (!Choices.Contains(option)) throw new WaveFlowException($"--distributed {option}: expected {string.Join(", ", Choices)}");
            return option;
        }
        if (LauncherWorldSize() is not > 1) return "none";
        return config.DistBackend == "nccl" && WantsCuda(deviceSpec) ? "nccl" : "mpi";
    }

    public static DistributedSetup Start(string backend, string deviceSpec, DistOptions config)
    {
        TorchRuntime.EnsureLoaded();
        if (backend == "none")
        {
            if (LauncherWorldSize() is > 1 and var n)
                throw new WaveFlowException($"--distributed none: this process is one of {n} started by a launcher; each would train alone into the same run folder (use --distributed mpi or nccl)");
            return new DistributedSetup(SingleProcessGroup.Instance, DeviceSpec.Resolve(deviceSpec));
        }
        var watchdog = TimeSpan.FromSeconds(config.WatchdogSeconds);
        // NCCL on one GPU without a launcher needs no MPI: its host side is a single process.
        IHostGroup mpi = backend == "nccl" && LauncherWorldSize() is null or 1
            ? new LocalHostGroup(watchdog)
            : MpiProcessGroup.Initialize(watchdog);
        try
        {
            var device = RankDevice(deviceSpec, mpi, backend);
            IProcessGroup group = backend == "nccl" ? NcclProcessGroup.Initialize(mpi, device) : mpi;
            return new DistributedSetup(group, device);
        }
        catch (WaveFlowException e)
        {
            // Every rank meets the same checks, but not necessarily the same outcome (one node
            // may have fewer GPUs): end the job rather than leave the others in a collective.
            Console.Error.WriteLine($"rank {mpi.Rank}: {e.Message}");
            mpi.Abort(e.ExitCode);
            throw;
        }
    }

    private static bool WantsCuda(string spec)
    {
        var s = spec.Trim().ToLowerInvariant();
        return s.StartsWith("cuda", StringComparison.Ordinal) || (s is "" or "auto" && cuda_is_available());
    }

    private static Device RankDevice(string spec, IHostGroup mpi, string backend)
    {
        var s = spec.Trim().ToLowerInvariant();
        if (!WantsCuda(spec))
        {
            if (backend == "nccl") throw new WaveFlowException($"--distributed nccl: needs CUDA devices (--device {spec}); use --distributed mpi for CPU ranks");
            return DeviceSpec.Resolve(spec);
        }
        if (!cuda_is_available())
            throw new WaveFlowException($"--device {spec}: CUDA is not available in this build or on this machine (see 'waveflow info')");
        if (s.StartsWith("cuda:", StringComparison.Ordinal)) return DeviceSpec.Resolve(spec);
        int count = cuda.device_count();
        if (mpi.LocalRank >= count)
            throw new WaveFlowException($"--device {spec}: local rank {mpi.LocalRank} needs GPU {mpi.LocalRank}, but {Environment.MachineName} has {count}; start at most {count} ranks per machine");
        return new Device(DeviceType.CUDA, mpi.LocalRank);
    }
}
