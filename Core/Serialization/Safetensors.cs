using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using WaveFlow.Core.IO;

namespace WaveFlow.Core.Serialization;

/// <summary>
/// The safetensors format: an 8-byte little-endian header length, a JSON header mapping each
/// name to dtype, shape and byte range, then the raw data. Reads F32/F16/BF16/F64 as float32;
/// writes F32 or F16. The optional "__metadata__" string map carries our checkpoint description.
/// </summary>
internal static class Safetensors
{
    public sealed record Contents(IReadOnlyDictionary<string, FloatArray> Tensors, IReadOnlyDictionary<string, string> Metadata);

    public static Contents Read(string path)
    {
        if (!File.Exists(path)) throw WaveFlowException.ForFile(path, "file not found");
        return Parse(File.ReadAllBytes(path), path);
    }

    /// <summary>The largest header accepted (the safetensors reference implementation's limit).</summary>
    public const long MaxHeaderBytes = 100_000_000;

    /// <summary>
    /// Parses a whole file held in memory. Every field is checked for its type and range, and
    /// each tensor's byte range against the file, before anything is allocated for it; every
    /// problem is a <see cref="WaveFlowException"/> naming <paramref name="path"/>.
    /// </summary>
    public static Contents Parse(byte[] bytes, string path)
    {
        if (bytes.Length < 8) throw WaveFlowException.ForFile(path, "not a safetensors file (too short)");
        ulong headerLength = BitConverter.ToUInt64(bytes, 0);
        if (headerLength > (ulong)bytes.Length - 8) throw WaveFlowException.ForFile(path, "not a safetensors file or truncated (header length past the end)");
        if (headerLength > MaxHeaderBytes) throw WaveFlowException.ForFile(path, $"safetensors header of {headerLength} bytes is larger than the {MaxHeaderBytes} allowed");
        long dataStart = 8 + (long)headerLength, dataLength = bytes.Length - dataStart;
        // JsonDocument checks the structure only; names and strings are decoded later, and a
        // damaged byte inside one would throw there, so the whole header is checked here.
        if (!System.Text.Unicode.Utf8.IsValid(bytes.AsSpan(8, (int)headerLength)))
            throw WaveFlowException.ForFile(path, "malformed safetensors header (not valid UTF-8)");
        JsonDocument document;
        try { document = JsonDocument.Parse(bytes.AsMemory(8, (int)headerLength)); }
        catch (JsonException e) { throw WaveFlowException.ForFile(path, $"malformed safetensors header ({e.Message.Split('\n')[0]})"); }
        using var _ = document;
        if (document.RootElement.ValueKind != JsonValueKind.Object)
            throw WaveFlowException.ForFile(path, $"malformed safetensors header (a JSON {Kind(document.RootElement)}, expected an object)");
        var tensors = new Dictionary<string, FloatArray>(StringComparer.Ordinal);
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var property in document.RootElement.EnumerateObject())
        {
            string name = property.Name;
            if (name == "__metadata__") { ReadMetadata(property.Value, metadata, path); continue; }
            if (tensors.ContainsKey(name)) throw WaveFlowException.ForFile(path, $"tensor {name} appears twice in the header");
            tensors[name] = ReadTensor(bytes, dataStart, dataLength, name, property.Value, path);
        }
        return new Contents(tensors, metadata);
    }

    private static void ReadMetadata(JsonElement node, Dictionary<string, string> metadata, string path)
    {
        if (node.ValueKind != JsonValueKind.Object)
            throw WaveFlowException.ForFile(path, $"__metadata__ is a JSON {Kind(node)}, expected an object of strings");
        foreach (var (k, v) in node.EnumerateObject().Select(p => (p.Name, p.Value)))
        {
            if (v.ValueKind != JsonValueKind.String)
                throw WaveFlowException.ForFile(path, $"__metadata__.{k} is a JSON {Kind(v)}, expected a string");
            if (!metadata.TryAdd(k, v.GetString()!)) throw WaveFlowException.ForFile(path, $"__metadata__.{k} appears twice");
        }
    }

    private static FloatArray ReadTensor(byte[] bytes, long dataStart, long dataLength, string name, JsonElement entry, string path)
    {
        if (entry.ValueKind != JsonValueKind.Object)
            throw WaveFlowException.ForFile(path, $"tensor {name}: header entry is a JSON {Kind(entry)}, expected an object with dtype, shape and data_offsets");
        JsonElement Field(string key) => entry.TryGetProperty(key, out var v) ? v
            : throw WaveFlowException.ForFile(path, $"tensor {name}: header entry lacks \"{key}\"");
        var dtypeNode = Field("dtype");
        if (dtypeNode.ValueKind != JsonValueKind.String)
            throw WaveFlowException.ForFile(path, $"tensor {name}: dtype is a JSON {Kind(dtypeNode)}, expected a string");
        string dtype = dtypeNode.GetString()!;
        int size = dtype switch { "F32" => 4, "F16" or "BF16" => 2, "F64" => 8, _ => throw WaveFlowException.ForFile(path, $"tensor {name}: dtype {dtype} is not supported (F32, F16, BF16, F64)") };
        long[] shape = Integers(Field("shape"), name, "shape", path);
        long[] offsets = Integers(Field("data_offsets"), name, "data_offsets", path);
        if (offsets.Length != 2) throw WaveFlowException.ForFile(path, $"tensor {name}: data_offsets has {offsets.Length} items, expected [begin, end]");
        long begin = offsets[0], end = offsets[1];
        if (begin < 0 || begin > end) throw WaveFlowException.ForFile(path, $"tensor {name}: data_offsets [{begin}, {end}] is not a byte range");
        if (end > dataLength) throw WaveFlowException.ForFile(path, $"truncated: tensor {name} runs past the end of the file");
        // The byte range bounds the element count, so nothing larger than the file is ever allocated.
        long count = ShapeMath.TryCount(shape, (end - begin) / size)
            ?? throw WaveFlowException.ForFile(path, $"tensor {name}: shape {ShapeMath.Describe(shape)} does not fit its {end - begin} bytes of {dtype}");
        if (end - begin != count * size) throw WaveFlowException.ForFile(path, $"tensor {name}: {end - begin} bytes for {count} {dtype} values");
        var data = new float[count];
        var span = bytes.AsSpan((int)(dataStart + begin), (int)(end - begin));
        switch (dtype)
        {
            case "F32": span.CopyTo(System.Runtime.InteropServices.MemoryMarshal.AsBytes(data.AsSpan())); break;
            case "F16": for (int i = 0; i < count; i++) data[i] = (float)BitConverter.ToHalf(span.Slice(2 * i, 2)); break;
            case "BF16": for (int i = 0; i < count; i++) data[i] = BitConverter.Int32BitsToSingle(BitConverter.ToUInt16(span.Slice(2 * i, 2)) << 16); break;
            case "F64": for (int i = 0; i < count; i++) data[i] = (float)BitConverter.ToDouble(span.Slice(8 * i, 8)); break;
        }
        return new FloatArray(data, shape);
    }

    /// <summary>A JSON array of integers (no fractions, no nesting), as shape and data_offsets hold.</summary>
    private static long[] Integers(JsonElement node, string name, string key, string path)
    {
        if (node.ValueKind != JsonValueKind.Array)
            throw WaveFlowException.ForFile(path, $"tensor {name}: {key} is a JSON {Kind(node)}, expected a list of integers");
        var values = new long[node.GetArrayLength()];
        int i = 0;
        foreach (var item in node.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Number || !item.TryGetInt64(out values[i]))
                throw WaveFlowException.ForFile(path, $"tensor {name}: {key}[{i}] is {Describe(item)}, expected an integer");
            i++;
        }
        return values;
    }

    private static string Kind(JsonElement e) => e.ValueKind.ToString().ToLowerInvariant();

    private static string Describe(JsonElement e)
    {
        string raw = e.GetRawText();
        return raw.Length > 24 ? raw[..24] + "…" : raw;
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
