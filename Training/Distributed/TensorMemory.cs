using static TorchSharp.torch;

namespace WaveFlow.Training.Distributed;

/// <summary>The address of a tensor's first element (a device pointer for CUDA tensors), for
/// handing tensors to MPI and NCCL: storage pointer + storage offset × element size.</summary>
internal static class TensorMemory
{
    public static IntPtr Address(Tensor t)
    {
        if (!t.is_contiguous()) throw new ArgumentException("collectives need a contiguous tensor", nameof(t));
        if (t.dtype != ScalarType.Float32) throw new ArgumentException($"collectives take float32 tensors, got {t.dtype}", nameof(t));
        using var scope = NewDisposeScope();
        IntPtr storage = t.storage<float>().data_ptr();
        return storage + (nint)(t.storage_offset() * t.element_size());
    }
}
