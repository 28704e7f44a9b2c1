using System.Diagnostics.CodeAnalysis;
using static TorchSharp.torch;

namespace WaveFlow.Training.Distributed;

/// <summary>
/// The host side of a one-process job started without a launcher (<c>--distributed nccl</c> on
/// one GPU): every collective is the identity, so no MPI library is needed; the watchdog still
/// guards the device collectives and ends the process if one hangs.
/// </summary>
internal sealed class LocalHostGroup : IHostGroup
{
    private CollectiveWatchdog _watchdog;
    private Action? _beforeAbort;

    public LocalHostGroup(TimeSpan watchdog) => _watchdog = new CollectiveWatchdog(watchdog, Stalled);

    public string Backend => "local";
    public int Rank => 0;
    public int WorldSize => 1;
    public int LocalRank => 0;
    public int LocalSize => 1;
    public void AllReduceSum(Tensor values) { }
    public void Broadcast(Tensor values, int root = 0) { }
    public void AllReduceSum(double[] values) { }
    public byte[] Broadcast(byte[] data, int root = 0) => data;
    public void Barrier() { }
    public CollectiveWatchdog.Span Watch(string what) => _watchdog.Enter(what);
    public void OnAbort(Action action) => _beforeAbort = action;

    public void WatchAlso(Func<string?> poll)
    {
        var timeout = _watchdog.Timeout;
        _watchdog.Dispose();
        _watchdog = new CollectiveWatchdog(timeout, Stalled, poll);
    }

    [DoesNotReturn]
    public void Abort(int exitCode)
    {
        Console.Out.Flush();
        Console.Error.Flush();
        try { _beforeAbort?.Invoke(); } catch (Exception) { /* exiting anyway */ }
        Posix.ExitNow(exitCode);
    }

    private void Stalled(string reason)
    {
        Console.Error.WriteLine($"rank 0: {reason}");
        Abort(1);
    }

    public void Dispose() => _watchdog.Dispose();
}
