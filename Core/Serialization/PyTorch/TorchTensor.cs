using System.Buffers.Binary;

namespace WaveFlow.Core.Serialization.PyTorch;

/// <summary>
/// A tensor as <c>torch._utils._rebuild_tensor_v2</c> describes it: a view of a storage with an
/// element offset, sizes and strides. Turned into a dense C-order <see cref="FloatArray"/> once
/// the storage bytes are known.
/// </summary>
internal sealed class TorchTensor(TorchStorage storage, long offset, long[] shape, long[] stride)
{
    public TorchStorage Storage { get; } = storage;
    public long Offset { get; } = offset;
    public long[] Shape { get; } = shape;
    public long[] Stride { get; } = stride;

    public FloatArray ToFloatArray(string path, bool bigEndian)
    {
        string Problem(string what) => $"tensor of shape {ShapeMath.Describe(Shape)} (strides {ShapeMath.Describe(Stride)}, offset {Offset}) {what}";
        if (Shape.Length != Stride.Length) throw WaveFlowException.ForFile(path, Problem("does not have one stride per dimension"));
        if (Offset < 0 || Stride.Any(s => s < 0)) throw WaveFlowException.ForFile(path, Problem("has a negative offset or stride"));
        // Everything is checked before the dense array is allocated: its size must not exceed the
        // elements the storage really holds (bytes read from the file), so a damaged size cannot
        // allocate more than the file's own size, and the furthest element the view touches must
        // lie inside the storage. Both with checked arithmetic: sizes and strides may be anything.
        long available = Math.Max(0, Storage.Available);
        long count = ShapeMath.TryCount(Shape, available)
            ?? throw WaveFlowException.ForFile(path, Problem($"needs more elements than storage {Storage.Key} holds ({available})"));
        if (count == 0) return new FloatArray([], Shape);
        long last;
        try
        {
            last = Offset;
            for (int d = 0; d < Shape.Length; d++) last = checked(last + (Shape[d] - 1) * Stride[d]);
        }
        catch (OverflowException) { throw WaveFlowException.ForFile(path, Problem("reaches past any storage")); }
        if (last >= available)
            throw WaveFlowException.ForFile(path, Problem($"reaches element {last} of storage {Storage.Key}, which holds {available}"));
        var data = new float[count];
        if (Storage.Root is null && Storage.DType == TorchDType.Float32 && !bigEndian && IsContiguous())
        {
            Buffer.BlockCopy(Storage.Bytes!, (int)(Offset * 4), data, 0, (int)(count * 4));
            return new FloatArray(data, Shape);
        }
        // General strided gather: walk the C-order index like an odometer.
        var index = new long[Shape.Length];
        long source = Offset;
        for (long i = 0; i < count; i++)
        {
            data[i] = Storage.Get(source, bigEndian);
            for (int d = Shape.Length - 1; d >= 0; d--)
            {
                index[d]++;
                source += Stride[d];
                if (index[d] < Shape[d]) break;
                source -= Stride[d] * Shape[d];
                index[d] = 0;
            }
        }
        return new FloatArray(data, Shape);
    }

    private bool IsContiguous()
    {
        long expected = 1;
        for (int d = Shape.Length - 1; d >= 0; d--)
        {
            if (Shape[d] != 1 && Stride[d] != expected) return false;
            expected *= Shape[d];
        }
        return true;
    }
}
