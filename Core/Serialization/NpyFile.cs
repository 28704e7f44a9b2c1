using System.Text;
using System.Text.RegularExpressions;
using WaveFlow.Core.IO;

namespace WaveFlow.Core.Serialization;

/// <summary>
/// NumPy .npy files (format 1.0–3.0). Read: float16, float32 and float64 (NumPy's default, e.g. a
/// mel computed with librosa), either byte order, C or Fortran order (what np.save writes for a
/// transposed array), always returned as float32 in C order. Written: float32 or float16, C order.
/// Errors name the file.
/// </summary>
internal static partial class NpyFile
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
        long headerLength;
        int offset;
        if (major == 1) { headerLength = BitConverter.ToUInt16(bytes, 8); offset = 10; }
        else if (major is 2 or 3)
        {
            if (bytes.Length < 12) throw WaveFlowException.ForFile(path, "truncated .npy header");
            headerLength = BitConverter.ToUInt32(bytes, 8); offset = 12;
        }
        else throw WaveFlowException.ForFile(path, $"unsupported .npy version {major}");
        if (offset + headerLength > bytes.Length) throw WaveFlowException.ForFile(path, "truncated .npy header");
        string header = Encoding.Latin1.GetString(bytes, offset, (int)headerLength);
        int dataStart = offset + (int)headerLength;

        var descr = DescrPattern().Match(header);
        var order = FortranPattern().Match(header);
        var shapeMatch = ShapePattern().Match(header);
        if (!descr.Success || !shapeMatch.Success) throw WaveFlowException.ForFile(path, "malformed .npy header");
        bool fortran = order.Success && order.Groups[1].Value == "True";
        long[] shape = ParseShape(shapeMatch.Groups[1].Value, path);

        string dtype = descr.Groups[1].Value;
        if (dtype.Length != 3 || dtype[0] is not ('<' or '>' or '|' or '=') || dtype[1] != 'f' || dtype[2] is not ('2' or '4' or '8'))
            throw WaveFlowException.ForFile(path, $"dtype {dtype} is not supported (expected float16, float32 or float64)");
        int itemSize = dtype[2] - '0';
        bool swap = dtype[0] == '>' == BitConverter.IsLittleEndian;   // '<', '|' and '=' are this machine's order
        // The bytes after the header bound the element count: nothing larger than the file is allocated.
        long available = (bytes.Length - dataStart) / itemSize;
        long count = ShapeMath.TryCount(shape, available)
            ?? throw WaveFlowException.ForFile(path, $"truncated or corrupt: shape {ShapeMath.Describe(shape)} needs more values than the {available} the file holds");
        var data = new float[count];
        var raw = bytes.AsSpan(dataStart, (int)(count * itemSize));
        Span<byte> item = stackalloc byte[8];
        for (int i = 0; i < count; i++)
        {
            raw.Slice(i * itemSize, itemSize).CopyTo(item);
            if (swap) item[..itemSize].Reverse();
            data[i] = itemSize switch
            {
                2 => (float)BitConverter.ToHalf(item),
                4 => BitConverter.ToSingle(item),
                _ => (float)BitConverter.ToDouble(item),
            };
        }
        return new FloatArray(fortran ? ToCOrder(data, shape) : data, shape);
    }

    /// <summary>
    /// The inside of the header's shape tuple: "80, 100", "80," or "" (a scalar). Each dimension
    /// must be a plain non-negative integer; anything else names the file and the text.
    /// </summary>
    private static long[] ParseShape(string text, string path)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        // A trailing comma ("80," or "80, 100,") leaves one empty last part; no other part may be empty.
        int n = parts.Length > 0 && parts[^1].Length == 0 ? parts.Length - 1 : parts.Length;
        var shape = new long[n];
        for (int i = 0; i < n; i++)
            if (parts[i].Length == 0 || parts[i].Length > 18 || !parts[i].All(char.IsAsciiDigit)
                || !long.TryParse(parts[i], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out shape[i]))
                throw WaveFlowException.ForFile(path, $"malformed .npy header: shape ({(text.Length > 40 ? text[..40] + "…" : text).Trim()}) is not a tuple of non-negative integers");
        return shape;
    }

    /// <summary>Column-major values of <paramref name="shape"/> reordered to row-major.</summary>
    private static float[] ToCOrder(float[] fortran, long[] shape)
    {
        if (shape.Count(d => d > 1) <= 1) return fortran;                 // a vector reads the same either way
        var result = new float[fortran.Length];
        var index = new long[shape.Length];                               // the C-order index of element i
        for (long i = 0; i < result.Length; i++)
        {
            // Fortran offset: the first axis varies fastest.
            long offset = 0, stride = 1;
            for (int axis = 0; axis < shape.Length; axis++) { offset += index[axis] * stride; stride *= shape[axis]; }
            result[i] = fortran[offset];
            for (int axis = shape.Length - 1; axis >= 0 && ++index[axis] == shape[axis]; axis--) index[axis] = 0;
        }
        return result;
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
