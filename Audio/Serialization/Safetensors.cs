using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace WaveFlow.Serialization;

/// <summary>
/// The safetensors format: an 8-byte little-endian header length, a JSON header mapping each
/// name to dtype, shape and byte range, then the raw data. Reads F32/F16/BF16/F64 as float32;
/// writes F32 or F16. The optional "__metadata__" string map carries our checkpoint description.
/// </summary>
public static class Safetensors
{
    public sealed record Contents(IReadOnlyDictionary<string, FloatArray> Tensors, IReadOnlyDictionary<string, string> Metadata);

    public static Contents Read(string path)
    {
        if (!File.Exists(path)) throw WaveFlowException.ForFile(path, "file not found");
        return Parse(File.ReadAllBytes(path), path);
    }

    public static Contents Parse(byte[] bytes, string path)
    {
        if (bytes.Length < 8) throw WaveFlowException.ForFile(path, "not a safetensors file (too short)");
        ulong headerLength = BitConverter.ToUInt64(bytes, 0);
        if (headerLength > (ulong)bytes.Length - 8) throw WaveFlowException.ForFile(path, "not a safetensors file or truncated (header length past the end)");
        JsonObject header;
        try { header = JsonNode.Parse(Encoding.UTF8.GetString(bytes, 8, (int)headerLength))!.AsObject(); }
        catch (JsonException e) { throw WaveFlowException.ForFile(path, $"malformed safetensors header ({e.Message.Split('\n')[0]})"); }
        long dataStart = 8 + (long)headerLength;
        var tensors = new Dictionary<string, FloatArray>(StringComparer.Ordinal);
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, node) in header)
        {
            if (name == "__metadata__")
            {
                foreach (var (k, v) in node!.AsObject()) metadata[k] = v!.GetValue<string>();
                continue;
            }
            var entry = node!.AsObject();
            string dtype = entry["dtype"]!.GetValue<string>();
            long[] shape = entry["shape"]!.AsArray().Select(x => x!.GetValue<long>()).ToArray();
            var offsets = entry["data_offsets"]!.AsArray();
            long begin = dataStart + offsets[0]!.GetValue<long>(), end = dataStart + offsets[1]!.GetValue<long>();
            if (end > bytes.Length || begin > end) throw WaveFlowException.ForFile(path, $"truncated: tensor {name} runs past the end of the file");
            long count = shape.Aggregate(1L, (a, b) => a * b);
            var data = new float[count];
            int size = dtype switch { "F32" => 4, "F16" or "BF16" => 2, "F64" => 8, _ => throw WaveFlowException.ForFile(path, $"tensor {name}: dtype {dtype} is not supported") };
            if (end - begin != count * size) throw WaveFlowException.ForFile(path, $"tensor {name}: {end - begin} bytes for {count} {dtype} values");
            var span = bytes.AsSpan((int)begin, (int)(end - begin));
            switch (dtype)
            {
                case "F32": Buffer.BlockCopy(bytes, (int)begin, data, 0, (int)(count * 4)); break;
                case "F16": for (int i = 0; i < count; i++) data[i] = (float)BitConverter.ToHalf(span.Slice(2 * i, 2)); break;
                case "BF16": for (int i = 0; i < count; i++) data[i] = BitConverter.Int32BitsToSingle(BitConverter.ToUInt16(span.Slice(2 * i, 2)) << 16); break;
                case "F64": for (int i = 0; i < count; i++) data[i] = (float)BitConverter.ToDouble(span.Slice(8 * i, 8)); break;
            }
            tensors[name] = new FloatArray(data, shape);
        }
        return new Contents(tensors, metadata);
    }

    /// <summary>Writes atomically; tensors in name order; float16 when <paramref name="half"/>.</summary>
    public static void Write(string path, IReadOnlyDictionary<string, FloatArray> tensors, IReadOnlyDictionary<string, string>? metadata = null, bool half = false)
    {
        var header = new JsonObject();
        if (metadata is { Count: > 0 })
        {
            var meta = new JsonObject();
            foreach (var (k, v) in metadata) meta[k] = v;
            header["__metadata__"] = meta;
        }
        long offset = 0;
        var names = tensors.Keys.OrderBy(k => k, StringComparer.Ordinal).ToList();
        int size = half ? 2 : 4;
        foreach (var name in names)
        {
            var t = tensors[name];
            long bytes = t.Data.LongLength * size;
            header[name] = new JsonObject
            {
                ["dtype"] = half ? "F16" : "F32",
                ["shape"] = new JsonArray(t.Shape.Select(s => (JsonNode)JsonValue.Create(s)).ToArray()),
                ["data_offsets"] = new JsonArray(offset, offset + bytes),
            };
            offset += bytes;
        }
        var headerBytes = Encoding.UTF8.GetBytes(header.ToJsonString());
        int pad = (8 - headerBytes.Length % 8) % 8;
        var headerPadded = headerBytes.Concat(Enumerable.Repeat((byte)' ', pad)).ToArray();
        AtomicFile.Write(path, stream =>
        {
            stream.Write(BitConverter.GetBytes((ulong)headerPadded.Length));
            stream.Write(headerPadded);
            foreach (var name in names)
            {
                var data = tensors[name].Data;
                if (half) { var buf = new byte[data.Length * 2]; for (int i = 0; i < data.Length; i++) BitConverter.TryWriteBytes(buf.AsSpan(2 * i), (Half)data[i]); stream.Write(buf); }
                else stream.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(data.AsSpan()));
            }
        });
    }
}
