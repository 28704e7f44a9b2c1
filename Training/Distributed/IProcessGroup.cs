using System.Diagnostics.CodeAnalysis;
using static TorchSharp.torch;

namespace WaveFlow.Training.Distributed;

/// <summary>
/// The processes of one training job and the collectives they run together. Every rank must
/// call the same collectives in the same order with the same sizes; a rank that skips one
/// (returns early, throws) leaves the others waiting, which is why errors end the whole job
/// through <see cref="Abort"/> and a watchdog guards every collective.
/// </summary>
internal interface IProcessGroup : IDisposable
{
    /// <summary>"single", "mpi" or "nccl".</summary>
    string Backend { get; }
    int Rank { get; }
    int WorldSize { get; }
    /// <summary>Rank among the processes on this machine (picks the GPU).</summary>
    int LocalRank { get; }
    int LocalSize { get; }

    /// <summary>Sums a contiguous float32 tensor over all ranks, in place (on the tensor's device).</summary>
    void AllReduceSum(Tensor values);

    /// <summary>Overwrites a contiguous float32 tensor with rank <paramref name="root"/>'s values.</summary>
    void Broadcast(Tensor values, int root = 0);

    /// <summary>Sums host values over all ranks, in place.</summary>
    void AllReduceSum(double[] values);

    /// <summary>Rank <paramref name="root"/>'s bytes on every rank (others pass anything, e.g. []).</summary>
    byte[] Broadcast(byte[] data, int root = 0);

    void Barrier();

    /// <summary>Ends every process of the job with <paramref name="exitCode"/>; does not return.</summary>
    [DoesNotReturn] void Abort(int exitCode);
}
