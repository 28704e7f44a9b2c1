using System.Text;
using TorchSharp;
using WaveFlow.Core;
using static TorchSharp.torch;

namespace WaveFlow.Training.Distributed;

/// <summary>
/// GPU collectives over NCCL, Horovod's way: MPI starts the job and carries NCCL's unique id from
/// rank 0 to every rank; NCCL then reduces device memory directly (NVLink, InfiniBand). The rank's
/// GPU is made current before ncclCommInitRank (a communicator belongs to one device). Work is
/// enqueued on the legacy default stream, the one libtorch uses, so it is ordered after the
/// backward pass and before the optimizer without extra events; each collective then waits for
/// the device, so the watchdog sees a hang and NCCL's asynchronous errors are checked.
/// Host-side collectives (flags, bytes) go over MPI, or are identities in a one-process job.
/// </summary>
internal sealed class NcclProcessGroup : IProcessGroup
{
    private readonly IHostGroup _mpi;
    private readonly NcclLibrary _nccl;
    private readonly Device _device;
    private IntPtr _comm;

    public string Backend => "nccl";
    public int Rank => _mpi.Rank;
    public int WorldSize => _mpi.WorldSize;
    public int LocalRank => _mpi.LocalRank;
    public int LocalSize => _mpi.LocalSize;
    public Device Device => _device;

    private NcclProcessGroup(IHostGroup mpi, NcclLibrary nccl, Device device, IntPtr comm) =>
        (_mpi, _nccl, _device, _comm) = (mpi, nccl, device, comm);

    /// <summary>One communicator over all ranks on <paramref name="device"/> (a CUDA device).</summary>
    public static NcclProcessGroup Initialize(IHostGroup mpi, Device device)
    {
        if (device.type != DeviceType.CUDA) throw new WaveFlowException($"--distributed nccl: needs --device cuda, got {device}");
        var nccl = NcclLibrary.Get();
        RefuseSharedGpus(mpi, device.index);
        NcclLibrary.SetCudaDevice(device.index);
        var id = new NcclLibrary.UniqueId { Bytes = new byte[128] };
        if (mpi.Rank == 0) nccl.Check(nccl.GetUniqueId(ref id), "ncclGetUniqueId");
        id.Bytes = mpi.Broadcast(id.Bytes);
        IntPtr comm;
        using (mpi.Watch("ncclCommInitRank"))
            nccl.Check(nccl.CommInitRank(out comm, mpi.WorldSize, id, mpi.Rank), "ncclCommInitRank");
        var group = new NcclProcessGroup(mpi, nccl, device, comm);
        mpi.OnAbort(group.AbortCommunicator);
        mpi.WatchAlso(group.AsyncError);
        return group;
    }

    /// <summary>NCCL refuses two ranks on one GPU ("Duplicate GPU detected") with a message that
    /// does not say which ranks; this check names them before NCCL is asked.</summary>
    private static void RefuseSharedGpus(IHostGroup mpi, int device)
    {
        // Every rank's (host hash, device + 1) in its own slots, summed: a gather made of an all-reduce.
        var slots = new double[2 * mpi.WorldSize];
        slots[2 * mpi.Rank] = HostHash();
        slots[2 * mpi.Rank + 1] = device + 1;
        mpi.AllReduceSum(slots);
        for (int other = 0; other < mpi.WorldSize; other++)
        {
            if (other == mpi.Rank || slots[2 * other] != slots[2 * mpi.Rank] || slots[2 * other + 1] != device + 1) continue;
            throw new WaveFlowException($"--distributed nccl: ranks {Math.Min(other, mpi.Rank)} and {Math.Max(other, mpi.Rank)} both use GPU {device} of {Environment.MachineName}; " +
                "NCCL needs one GPU per rank (it refuses duplicate GPUs): start at most one rank per GPU, or use --distributed mpi to share a GPU", 2);
        }
    }

    /// <summary>A 31-bit hash of the host name (exact in a double).</summary>
    private static double HostHash()
    {
        uint h = 2166136261;
        foreach (byte b in Encoding.UTF8.GetBytes(Environment.MachineName)) h = (h ^ b) * 16777619;
        return h & 0x7fffffff;
    }

    public void AllReduceSum(Tensor values)
    {
        if (values.device_type != DeviceType.CUDA) { _mpi.AllReduceSum(values); return; }
        using var span = _mpi.Watch("NCCL all-reduce");
        IntPtr p = TensorMemory.Address(values);
        _nccl.Check(_nccl.AllReduce(p, p, (nuint)values.numel(), NcclLibrary.Float32, NcclLibrary.OpSum, _comm, IntPtr.Zero), "ncclAllReduce");
        torch.cuda.synchronize(_device);
    }

    public void Broadcast(Tensor values, int root = 0)
    {
        if (values.device_type != DeviceType.CUDA) { _mpi.Broadcast(values, root); return; }
        using var span = _mpi.Watch("NCCL broadcast");
        IntPtr p = TensorMemory.Address(values);
        _nccl.Check(_nccl.Broadcast(p, p, (nuint)values.numel(), NcclLibrary.Float32, root, _comm, IntPtr.Zero), "ncclBroadcast");
        torch.cuda.synchronize(_device);
    }

    public void AllReduceSum(double[] values) => _mpi.AllReduceSum(values);
    public byte[] Broadcast(byte[] data, int root = 0) => _mpi.Broadcast(data, root);
    public void Barrier() => _mpi.Barrier();
    [System.Diagnostics.CodeAnalysis.DoesNotReturn] public void Abort(int exitCode) => _mpi.Abort(exitCode);

    private string? AsyncError()
    {
        if (_comm == IntPtr.Zero || _nccl.CommGetAsyncError(_comm, out int error) != NcclLibrary.Success) return null;
        return error is NcclLibrary.Success or NcclLibrary.InProgress ? null : $"NCCL reported an asynchronous error: {_nccl.Describe(error)}";
    }

    private void AbortCommunicator()
    {
        if (_comm == IntPtr.Zero) return;
        _nccl.CommAbort(_comm);
        _comm = IntPtr.Zero;
    }

    public void Dispose()
    {
        if (_comm != IntPtr.Zero)
        {
            _nccl.CommDestroy(_comm);
            _comm = IntPtr.Zero;
        }
        _mpi.Dispose();
    }
}
