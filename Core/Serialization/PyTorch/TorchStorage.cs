using System.Buffers.Binary;

namespace WaveFlow.Core.Serialization.PyTorch;

/// <summary>The element types of torch storages we can widen or narrow to float32.</summary>
internal enum TorchDType { Float32, Float16, BFloat16, Float64, Int64, Int32, Int16, Int8, UInt8, Bool }

/// <summary>
/// One torch storage: a flat typed buffer that tensors view with an offset, sizes and strides.
/// In the zip format each storage is the entry <c>data/&lt;key&gt;</c>; in the legacy format the
/// storages follow the pickles, and a storage may be a view into a root storage
/// (<see cref="RootOffset"/> elements in).
/// </summary>
internal sealed class TorchStorage(string key, TorchDType dtype, long numel)
{
    public string Key { get; } = key;
    public TorchDType DType { get; } = dtype;
    public long Numel { get; } = numel;
    /// <summary>Raw little- or big-endian bytes, filled when the storage has been read.</summary>
    public byte[]? Bytes { get; set; }
    /// <summary>Legacy views: the root storage and the element offset into it.</summary>
    public TorchStorage? Root { get; init; }
    public long RootOffset { get; init; }

    public int ElementSize => SizeOf(DType);

    public static int SizeOf(TorchDType t) => t switch
    {
        TorchDType.Float64 or TorchDType.Int64 => 8,
        TorchDType.Float32 or TorchDType.Int32 => 4,
        TorchDType.Float16 or TorchDType.BFloat16 or TorchDType.Int16 => 2,
        _ => 1,
    };

    /// <summary>Maps the storage class named in a persistent id ("FloatStorage") to its element type.</summary>
    public static TorchDType? FromStorageClass(string name) => name switch
    {
        "FloatStorage" => TorchDType.Float32,
        "HalfStorage" => TorchDType.Float16,
        "BFloat16Storage" => TorchDType.BFloat16,
        "DoubleStorage" => TorchDType.Float64,
        "LongStorage" => TorchDType.Int64,
        "IntStorage" => TorchDType.Int32,
        "ShortStorage" => TorchDType.Int16,
        "CharStorage" => TorchDType.Int8,
        "ByteStorage" => TorchDType.UInt8,
        "BoolStorage" => TorchDType.Bool,
        _ => null,
    };

    /// <summary>Element <paramref name="index"/> (counted in this storage) as float32.</summary>
    public float Get(long index, bool bigEndian)
    {
        if (Root is not null) return Root.Get(RootOffset + index, bigEndian);
        var span = Bytes.AsSpan((int)(index * ElementSize), ElementSize);
        return DType switch
        {
            TorchDType.Float32 => bigEndian ? BinaryPrimitives.ReadSingleBigEndian(span) : BinaryPrimitives.ReadSingleLittleEndian(span),
            TorchDType.Float16 => (float)(bigEndian ? BinaryPrimitives.ReadHalfBigEndian(span) : BinaryPrimitives.ReadHalfLittleEndian(span)),
            // bfloat16 is the upper half of a float32.
            TorchDType.BFloat16 => BitConverter.Int32BitsToSingle((bigEndian ? BinaryPrimitives.ReadUInt16BigEndian(span) : BinaryPrimitives.ReadUInt16LittleEndian(span)) << 16),
            TorchDType.Float64 => (float)(bigEndian ? BinaryPrimitives.ReadDoubleBigEndian(span) : BinaryPrimitives.ReadDoubleLittleEndian(span)),
            TorchDType.Int64 => bigEndian ? BinaryPrimitives.ReadInt64BigEndian(span) : BinaryPrimitives.ReadInt64LittleEndian(span),
            TorchDType.Int32 => bigEndian ? BinaryPrimitives.ReadInt32BigEndian(span) : BinaryPrimitives.ReadInt32LittleEndian(span),
            TorchDType.Int16 => bigEndian ? BinaryPrimitives.ReadInt16BigEndian(span) : BinaryPrimitives.ReadInt16LittleEndian(span),
            TorchDType.Int8 => (sbyte)span[0],
            _ => span[0],
        };
    }

    /// <summary>Number of elements actually available (a root's byte count or a view's numel).</summary>
    public long Available => Root is not null ? Math.Min(Numel, Root.Available - RootOffset) : (Bytes?.LongLength ?? 0) / ElementSize;
}

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
