using System.Diagnostics.CodeAnalysis;
using static TorchSharp.torch;

namespace WaveFlow.Training.Distributed;

/// <summary>A job of one process: every collective is the identity. Training without a launcher.</summary>
internal sealed class SingleProcessGroup : IProcessGroup
{
    public static readonly SingleProcessGroup Instance = new();
    public string Backend => "single";
    public int Rank => 0;
    public int WorldSize => 1;
    public int LocalRank => 0;
    public int LocalSize => 1;
    public void AllReduceSum(Tensor values) { }
    public void Broadcast(Tensor values, int root = 0) { }
    public void AllReduceSum(double[] values) { }
    public byte[] Broadcast(byte[] data, int root = 0) => data;
    public void Barrier() { }
    [DoesNotReturn] public void Abort(int exitCode) => Environment.Exit(exitCode);
    public void Dispose() { }
}
