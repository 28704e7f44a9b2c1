using System.Text;
using System.Text.RegularExpressions;

namespace WaveFlow.Serialization;

/// <summary>A dense little-endian float array with its shape, as stored in .npy/.safetensors.</summary>
public sealed record FloatArray(float[] Data, long[] Shape)
{
    public long Count => Shape.Aggregate(1L, (a, b) => a * b);
}

/// <summary>
/// NumPy .npy files (format 1.0–3.0): float32 and float16 read (float16 widened), float32 and
/// float16 written, C order only. Errors name the file.
/// </summary>
public static partial class NpyFile
{
    private static readonly byte[] Magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    public static FloatArray Read(string path)
    {
        if (!File.Exists(path)) throw WaveFlowException.ForFile(path, "file not found");
        byte[] bytes = File.ReadAllBytes(path);
        if (bytes.Length == 0) throw WaveFlowException.ForFile(path, "empty file");
        return Parse(bytes, path);
    }

    public static FloatArray Parse(byte[] bytes, string path)
    {
        if (bytes.Length < 10 || !bytes.AsSpan(0, 6).SequenceEqual(Magic))
            throw WaveFlowException.ForFile(path, "not a .npy file (bad magic)");
        int major = bytes[6];
        int headerLength, offset;
        if (major == 1) { headerLength = BitConverter.ToUInt16(bytes, 8); offset = 10; }
        else if (major is 2 or 3)
        {
            if (bytes.Length < 12) throw WaveFlowException.ForFile(path, "truncated .npy header");
            headerLength = (int)BitConverter.ToUInt32(bytes, 8); offset = 12;
        }
        else throw WaveFlowException.ForFile(path, $"unsupported .npy version {major}");
        if (offset + headerLength > bytes.Length) throw WaveFlowException.ForFile(path, "truncated .npy header");
        string header = Encoding.Latin1.GetString(bytes, offset, headerLength);
        int dataStart = offset + headerLength;

        var descr = DescrPattern().Match(header);
        var order = FortranPattern().Match(header);
        var shapeMatch = ShapePattern().Match(header);
        if (!descr.Success || !shapeMatch.Success) throw WaveFlowException.ForFile(path, "malformed .npy header");
        if (order.Success && order.Groups[1].Value == "True") throw WaveFlowException.ForFile(path, "Fortran-ordered arrays are not supported");
        long[] shape = shapeMatch.Groups[1].Value
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(long.Parse).ToArray();
        long count = shape.Aggregate(1L, (a, b) => a * b);

        string dtype = descr.Groups[1].Value;
        int itemSize = dtype switch
        {
            "<f4" or "|f4" => 4,
            "<f2" or "|f2" => 2,
            ">f4" or ">f2" => throw WaveFlowException.ForFile(path, "big-endian arrays are not supported"),
            _ => throw WaveFlowException.ForFile(path, $"dtype {dtype} is not supported (expected float32 or float16)"),
        };
        if (dataStart + count * itemSize > bytes.Length)
            throw WaveFlowException.ForFile(path, $"truncated: header promises {count} values, file holds {(bytes.Length - dataStart) / itemSize}");
        var data = new float[count];
        if (itemSize == 4) Buffer.BlockCopy(bytes, dataStart, data, 0, (int)(count * 4));
        else for (long i = 0; i < count; i++) data[i] = (float)BitConverter.ToHalf(bytes, (int)(dataStart + 2 * i));
        return new FloatArray(data, shape);
    }

    /// <summary>Writes atomically (temporary file, then rename). float16 when <paramref name="half"/>.</summary>
    public static void Write(string path, ReadOnlySpan<float> data, long[] shape, bool half = false)
    {
        long count = shape.Aggregate(1L, (a, b) => a * b);
        if (count != data.Length) throw new ArgumentException($"shape holds {count} values, data {data.Length}");
        string shapeText = shape.Length == 1 ? $"({shape[0]},)" : "(" + string.Join(", ", shape) + ")";
        string header = $"{{'descr': '{(half ? "<f2" : "<f4")}', 'fortran_order': False, 'shape': {shapeText}, }}";
        int total = 10 + header.Length + 1;
        header = header.PadRight(header.Length + (64 - total % 64) % 64) + "\n";
        using var buffer = new MemoryStream();
        buffer.Write(Magic);
        buffer.WriteByte(1); buffer.WriteByte(0);
        buffer.Write(BitConverter.GetBytes((ushort)header.Length));
        buffer.Write(Encoding.Latin1.GetBytes(header));
        if (half) foreach (var v in data) buffer.Write(BitConverter.GetBytes((Half)v));
        else buffer.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(data));
        AtomicFile.WriteAllBytes(path, buffer.ToArray());
    }

    [GeneratedRegex(@"'descr'\s*:\s*'([^']+)'")] private static partial Regex DescrPattern();
    [GeneratedRegex(@"'fortran_order'\s*:\s*(True|False)")] private static partial Regex FortranPattern();
    [GeneratedRegex(@"'shape'\s*:\s*\(([^)]*)\)")] private static partial Regex ShapePattern();
}
