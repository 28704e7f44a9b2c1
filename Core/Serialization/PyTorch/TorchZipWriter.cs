using System.Buffers.Binary;
using System.Text;
using WaveFlow.Core.IO;

namespace WaveFlow.Core.Serialization.PyTorch;

/// <summary>
/// Writes tensors in torch.save's zip format, so that Python users can <c>torch.load</c> what we write
/// (also with <c>weights_only=True</c>: the pickle names only <c>torch._utils._rebuild_tensor_v2</c>,
/// <c>collections.OrderedDict</c> and a storage class). The archive mirrors what torch.save writes:
/// <c>archive/data.pkl</c>, <c>archive/byteorder</c>, <c>archive/data/&lt;key&gt;</c> and
/// <c>archive/version</c>; records are stored uncompressed with their data aligned to 64 bytes
/// (torch pads the local header's extra field the same way, so that storages can be memory-mapped).
/// </summary>
internal static class TorchZipWriter
{
    private const int Alignment = 64;
    private const string Prefix = "archive/";

    /// <summary>A single tensor, as <c>torch.save(tensor, path)</c> writes it. Atomic.</summary>
    public static void WriteTensor(string path, FloatArray tensor, bool half = false)
    {
        var pickle = new PickleWriter();
        pickle.Tensor(tensor, storageKey: "0", half);
        Write(path, pickle.Finish(), [tensor], half);
    }

    /// <summary>A state dict, as <c>torch.save(model.state_dict(), path)</c> writes it (keys in the given order). Atomic.</summary>
    public static void WriteStateDict(string path, IReadOnlyList<KeyValuePair<string, FloatArray>> tensors, bool half = false)
    {
        var pickle = new PickleWriter();
        pickle.BeginOrderedDict();
        for (int i = 0; i < tensors.Count; i++)
        {
            pickle.String(tensors[i].Key);
            pickle.Tensor(tensors[i].Value, storageKey: i.ToString(System.Globalization.CultureInfo.InvariantCulture), half);
        }
        pickle.EndOrderedDict();
        Write(path, pickle.Finish(), tensors.Select(t => t.Value).ToList(), half);
    }

    private static void Write(string path, byte[] pickle, IReadOnlyList<FloatArray> storages, bool half)
    {
        var records = new List<(string Name, byte[] Data)> { (Prefix + "data.pkl", pickle), (Prefix + "byteorder", "little"u8.ToArray()) };
        for (int i = 0; i < storages.Count; i++) records.Add(($"{Prefix}data/{i}", StorageBytes(storages[i].Data, half)));
        records.Add((Prefix + "version", "3\n"u8.ToArray()));
        AtomicFile.Write(path, stream => WriteZip(stream, records));
    }

    private static byte[] StorageBytes(float[] data, bool half)
    {
        if (!half) return System.Runtime.InteropServices.MemoryMarshal.AsBytes(data.AsSpan()).ToArray();
        var bytes = new byte[data.Length * 2];
        for (int i = 0; i < data.Length; i++) BinaryPrimitives.WriteHalfLittleEndian(bytes.AsSpan(2 * i), (Half)data[i]);
        return bytes;
    }

    // A minimal zip writer: stored records, no zip64 (each record and the whole archive under 4 GB).
    private static void WriteZip(Stream output, List<(string Name, byte[] Data)> records)
    {
        var central = new MemoryStream();
        long offset = 0;
        void Put(Stream s, ReadOnlySpan<byte> b) { s.Write(b); if (s == output) offset += b.Length; }
        foreach (var (name, data) in records)
        {
            if (offset + data.LongLength > uint.MaxValue) throw new InvalidOperationException("torch zip writer: archive over 4 GB");
            byte[] nameBytes = Encoding.UTF8.GetBytes(name);
            uint crc = Crc32(data);
            long headerOffset = offset;
            // Pad the extra field so that the data starts on an aligned offset (4 bytes of extra-field header + padding).
            int unpadded = (int)((offset + 30 + nameBytes.Length + 4) % Alignment);
            int padding = (Alignment - unpadded) % Alignment;
            Put(output, LocalHeader(nameBytes, crc, (uint)data.Length, (ushort)(4 + padding)));
            Put(output, nameBytes);
            var extra = new byte[4 + padding];
            BinaryPrimitives.WriteUInt16LittleEndian(extra, 0x4246); // "FB", the id torch's writer uses for its padding
            BinaryPrimitives.WriteUInt16LittleEndian(extra.AsSpan(2), (ushort)padding);
            Put(output, extra);
            Put(output, data);
            Put(central, CentralHeader(nameBytes, crc, (uint)data.Length, (uint)headerOffset));
            Put(central, nameBytes);
        }
        long centralOffset = offset;
        byte[] dir = central.ToArray();
        Put(output, dir);
        var end = new byte[22];
        BinaryPrimitives.WriteUInt32LittleEndian(end, 0x06054b50);
        BinaryPrimitives.WriteUInt16LittleEndian(end.AsSpan(8), (ushort)records.Count);
        BinaryPrimitives.WriteUInt16LittleEndian(end.AsSpan(10), (ushort)records.Count);
        BinaryPrimitives.WriteUInt32LittleEndian(end.AsSpan(12), (uint)dir.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(end.AsSpan(16), (uint)centralOffset);
        Put(output, end);
    }

    private static byte[] LocalHeader(byte[] name, uint crc, uint size, ushort extraLength)
    {
        var h = new byte[30];
        BinaryPrimitives.WriteUInt32LittleEndian(h, 0x04034b50);
        BinaryPrimitives.WriteUInt16LittleEndian(h.AsSpan(4), 20);      // version needed: 2.0
        // flags 0, method 0 (stored), time and date 0 (DOS epoch; torch writes fixed values too)
        BinaryPrimitives.WriteUInt32LittleEndian(h.AsSpan(14), crc);
        BinaryPrimitives.WriteUInt32LittleEndian(h.AsSpan(18), size);   // compressed size
        BinaryPrimitives.WriteUInt32LittleEndian(h.AsSpan(22), size);   // uncompressed size
        BinaryPrimitives.WriteUInt16LittleEndian(h.AsSpan(26), (ushort)name.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(h.AsSpan(28), extraLength);
        return h;
    }

    private static byte[] CentralHeader(byte[] name, uint crc, uint size, uint localOffset)
    {
        var h = new byte[46];
        BinaryPrimitives.WriteUInt32LittleEndian(h, 0x02014b50);
        BinaryPrimitives.WriteUInt16LittleEndian(h.AsSpan(4), 20);      // made by
        BinaryPrimitives.WriteUInt16LittleEndian(h.AsSpan(6), 20);      // needed
        BinaryPrimitives.WriteUInt32LittleEndian(h.AsSpan(16), crc);
        BinaryPrimitives.WriteUInt32LittleEndian(h.AsSpan(20), size);
        BinaryPrimitives.WriteUInt32LittleEndian(h.AsSpan(24), size);
        BinaryPrimitives.WriteUInt16LittleEndian(h.AsSpan(28), (ushort)name.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(h.AsSpan(42), localOffset);
        return h;
    }

    /// <summary>CRC-32 (IEEE 802.3, reflected), as zip readers verify it.</summary>
    internal static uint Crc32(ReadOnlySpan<byte> data) => System.IO.Hashing.Crc32.HashToUInt32(data);
}
