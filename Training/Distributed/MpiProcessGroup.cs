using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace WaveFlow.Training.Distributed;

/// <summary>
/// A process group over MPI_COMM_WORLD, as started by <c>mpirun</c> or <c>srun --mpi=pmix</c>
/// (or a single process, which MPI runs as a singleton). Rank and world size come from
/// MPI_COMM_WORLD; the local rank from MPI_Comm_split_type(MPI_COMM_TYPE_SHARED), i.e. the
/// processes that share this machine. CPU tensors are reduced in place; CUDA tensors go through
/// host memory (Debian's Open MPI is not CUDA-aware), which is what lets several ranks share
/// one GPU. Every collective runs under the <see cref="CollectiveWatchdog"/>.
/// </summary>
internal sealed class MpiProcessGroup : IHostGroup
{
    // MPI counts are C ints: larger buffers go in chunks of this many elements.
    private const int MaxCount = 1 << 30;
    private readonly MpiLibrary _mpi;
    private readonly bool _initializedHere;
    private readonly bool _threadMultiple;
    private IntPtr _localComm;
    private CollectiveWatchdog? _watchdog;
    private Action? _beforeAbort;

    public string Backend => "mpi";
    public int Rank { get; }
    public int WorldSize { get; }
    public int LocalRank { get; }
    public int LocalSize { get; }
    public string LibraryPath => _mpi.Path;

    private MpiProcessGroup(MpiLibrary mpi, bool initializedHere, bool threadMultiple)
    {
        (_mpi, _initializedHere, _threadMultiple) = (mpi, initializedHere, threadMultiple);
        _mpi.Check(_mpi.CommSetErrhandler(_mpi.CommWorld, _mpi.ErrorsReturn), "MPI_Comm_set_errhandler");
        _mpi.Check(_mpi.CommRank(_mpi.CommWorld, out int rank), "MPI_Comm_rank");
        _mpi.Check(_mpi.CommSize(_mpi.CommWorld, out int size), "MPI_Comm_size");
        _mpi.Check(_mpi.CommSplitType(_mpi.CommWorld, MpiLibrary.CommTypeShared, rank, _mpi.InfoNull, out _localComm), "MPI_Comm_split_type");
        _mpi.Check(_mpi.CommRank(_localComm, out int localRank), "MPI_Comm_rank (local)");
        _mpi.Check(_mpi.CommSize(_localComm, out int localSize), "MPI_Comm_size (local)");
        (Rank, WorldSize, LocalRank, LocalSize) = (rank, size, localRank, localSize);
    }

    /// <summary>Initialises MPI (thread level MULTIPLE, so the watchdog may abort from its own
    /// thread) and starts the watchdog with <paramref name="watchdog"/> as its limit.</summary>
    public static MpiProcessGroup Initialize(TimeSpan watchdog)
    {
        var mpi = MpiLibrary.Get();
        mpi.Check(mpi.Initialized(out int already), "MPI_Initialized");
        int provided = MpiLibrary.ThreadMultiple;
        if (already == 0) mpi.Check(mpi.InitThread(IntPtr.Zero, IntPtr.Zero, MpiLibrary.ThreadMultiple, out provided), "MPI_Init_thread");
        var group = new MpiProcessGroup(mpi, already == 0, provided >= MpiLibrary.ThreadMultiple);
        group._watchdog = new CollectiveWatchdog(watchdog, group.AbortFromWatchdog);
        return group;
    }

    public void OnAbort(Action action) => _beforeAbort = action;

    public void WatchAlso(Func<string?> poll)
    {
        var timeout = _watchdog!.Timeout;
        _watchdog.Dispose();
        _watchdog = new CollectiveWatchdog(timeout, AbortFromWatchdog, poll);
    }

    public CollectiveWatchdog.Span Watch(string what) => _watchdog!.Enter(what);

    public void AllReduceSum(Tensor values) =>
        OnHostInChunks(values, "MPI all-reduce", (p, count) =>
            _mpi.Check(_mpi.Allreduce(MpiLibrary.InPlace, p, count, _mpi.Float, _mpi.OpSum, _mpi.CommWorld), "MPI_Allreduce"));

    public void Broadcast(Tensor values, int root = 0) =>
        OnHostInChunks(values, "MPI broadcast", (p, count) =>
            _mpi.Check(_mpi.Bcast(p, count, _mpi.Float, root, _mpi.CommWorld), "MPI_Bcast"));

    /// <summary>Runs an in-place MPI call over a float32 tensor's memory, in chunks that fit MPI's
    /// int counts; a CUDA tensor goes through a host copy and back.</summary>
    private void OnHostInChunks(Tensor values, string what, Action<IntPtr, int> call)
    {
        if (values.device_type != DeviceType.CPU)
        {
            using var host = values.cpu();
            OnHostInChunks(host, what, call);
            values.copy_(host);
            return;
        }
        using var span = Watch(what);
        IntPtr p = TensorMemory.Address(values);
        for (long done = 0, n = values.numel(); done < n; done += MaxCount)
            call(p + (nint)(done * sizeof(float)), (int)Math.Min(MaxCount, n - done));
    }

    public void AllReduceSum(double[] values)
    {
        using var span = Watch("MPI all-reduce");
        var pin = GCHandle.Alloc(values, GCHandleType.Pinned);
        try
        {
            _mpi.Check(_mpi.Allreduce(MpiLibrary.InPlace, pin.AddrOfPinnedObject(), values.Length, _mpi.Double, _mpi.OpSum, _mpi.CommWorld), "MPI_Allreduce");
        }
        finally
        {
            pin.Free();
        }
    }

    public byte[] Broadcast(byte[] data, int root = 0)
    {
        using var span = Watch("MPI broadcast");
        var length = new[] { Rank == root ? (double)data.Length : 0 };
        BcastPinned(length, 1, _mpi.Double, root);
        var buffer = Rank == root ? data : new byte[(int)length[0]];
        if (buffer.Length > 0) BcastPinned(buffer, buffer.Length, _mpi.Byte, root);
        return buffer;
    }

    private void BcastPinned(Array array, int count, IntPtr type, int root)
    {
        var pin = GCHandle.Alloc(array, GCHandleType.Pinned);
        try
        {
            _mpi.Check(_mpi.Bcast(pin.AddrOfPinnedObject(), count, type, root, _mpi.CommWorld), "MPI_Bcast");
        }
        finally
        {
            pin.Free();
        }
    }

    public void Barrier()
    {
        using var span = Watch("MPI barrier");
        _mpi.Check(_mpi.Barrier(_mpi.CommWorld), "MPI_Barrier");
    }

    /// <summary>MPI_Abort on MPI_COMM_WORLD: the launcher ends every rank; the job's exit code
    /// is <paramref name="exitCode"/>.</summary>
    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    public void Abort(int exitCode)
    {
        Console.Error.Flush();
        Console.Out.Flush();
        try { _beforeAbort?.Invoke(); } catch (Exception) { /* aborting anyway */ }
        _mpi.Abort(_mpi.CommWorld, exitCode);
        Posix.ExitNow(exitCode);      // MPI_Abort does not return; this is a last resort
    }

    private void AbortFromWatchdog(string reason)
    {
        Console.Error.WriteLine($"rank {Rank}: {reason}");
        if (!_threadMultiple)
        {
            // MPI may not be entered from a second thread at this thread level: end this process;
            // the launcher ends the others when one rank exits with an error.
            try { _beforeAbort?.Invoke(); } catch (Exception) { /* exiting anyway */ }
            Posix.ExitNow(1);
        }
        Abort(1);
    }

    public void Dispose()
    {
        _watchdog?.Dispose();
        _watchdog = null;
        if (_localComm != IntPtr.Zero)
        {
            _mpi.CommFree(ref _localComm);
            _localComm = IntPtr.Zero;
        }
        if (_initializedHere && _mpi.Finalized(out int done) == MpiLibrary.Success && done == 0) _mpi.Finalize();
    }
}
