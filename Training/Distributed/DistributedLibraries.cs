using WaveFlow.Core;

namespace WaveFlow.Training.Distributed;

/// <summary>Which MPI and NCCL this process would use, for <c>waveflow info</c>: a version and
/// the library name, or why it cannot be loaded and how to install it.</summary>
internal static class DistributedLibraries
{
    public static string Mpi()
    {
        try
        {
            var mpi = MpiLibrary.Get();
            return $"{mpi.Version()} ({mpi.Path}); launcher world size {DistributedLaunch.LauncherWorldSize()?.ToString() ?? "none (not started by mpirun/srun)"}";
        }
        catch (WaveFlowException e)
        {
            return $"not available: {e.Message}";
        }
    }

    public static string Nccl()
    {
        try
        {
            var nccl = NcclLibrary.Get();
            return $"NCCL {nccl.Version()} ({nccl.Path})";
        }
        catch (WaveFlowException e)
        {
            return $"not available: {e.Message}";
        }
    }
}
