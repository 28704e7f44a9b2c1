using WaveFlow.Core;

namespace WaveFlow.Training.Distributed;

/// <summary>
/// What NCCL needs from the host side of a job: ranks, collectives on host memory (to carry the
/// unique id and flags), an abort that ends every rank, and the watchdog that guards collectives.
/// MPI provides it under a launcher; <see cref="LocalHostGroup"/> for a job of one process.
/// </summary>
internal interface IHostGroup : IProcessGroup
{
    /// <summary>Marks a collective for the watchdog; dispose to mark its end.</summary>
    CollectiveWatchdog.Span Watch(string what);

    /// <summary>Runs <paramref name="action"/> before the job is aborted (NCCL aborts its communicator).</summary>
    void OnAbort(Action action);

    /// <summary>Adds an asynchronous-error check to the watchdog (NCCL's).</summary>
    void WatchAlso(Func<string?> poll);
}
