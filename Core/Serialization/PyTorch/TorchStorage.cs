using System.Buffers.Binary;

namespace WaveFlow.Core.Serialization.PyTorch;

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
