using System.Buffers.Binary;
using System.IO.Compression;

namespace WaveFlow.Core.Imaging;

/// <summary>
/// The smallest useful PNG writer: 8-bit RGB, no interlace, every scanline with filter type 0
/// (None), one IDAT chunk compressed with zlib. Enough for spectrogram images, and no native
/// imaging library is needed (SkiaSharp has no Linux assets here).
/// </summary>
internal static class PngEncoder
{
    private static ReadOnlySpan<byte> Signature => [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>Encodes <paramref name="rgb"/> (row-major, top row first, 3 bytes a pixel).</summary>
    public static byte[] EncodeRgb(ReadOnlySpan<byte> rgb, int width, int height)
    {
        if (width <= 0 || height <= 0) throw new ArgumentException($"image must be at least 1×1, got {width}×{height}");
        if (rgb.Length != 3L * width * height) throw new ArgumentException($"expected {3L * width * height} RGB bytes, got {rgb.Length}");
        using var png = new MemoryStream();
        png.Write(Signature);

        Span<byte> header = stackalloc byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header[4..], height);
        header[8] = 8;   // bit depth
        header[9] = 2;   // colour type: truecolour RGB
        header[10] = 0;  // compression: deflate
        header[11] = 0;  // filter method 0
        header[12] = 0;  // no interlace
        WriteChunk(png, "IHDR"u8, header);

        using (var compressed = new MemoryStream())
        {
            using (var zlib = new ZLibStream(compressed, CompressionLevel.Optimal, leaveOpen: true))
            {
                int stride = 3 * width;
                for (int y = 0; y < height; y++)
                {
                    zlib.WriteByte(0);  // filter type None for this scanline
                    zlib.Write(rgb.Slice(y * stride, stride));
                }
            }
            WriteChunk(png, "IDAT"u8, compressed.ToArray());
        }
        WriteChunk(png, "IEND"u8, []);
        return png.ToArray();
    }

    /// <summary>length (big-endian), type, data, CRC-32 of type and data.</summary>
    private static void WriteChunk(Stream stream, ReadOnlySpan<byte> type, ReadOnlySpan<byte> data)
    {
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(word, data.Length);
        stream.Write(word);
        stream.Write(type);
        stream.Write(data);
        uint crc = Crc32.Update(Crc32.Update(Crc32.Initial, type), data) ^ 0xFFFFFFFFu;
        BinaryPrimitives.WriteUInt32BigEndian(word, crc);
        stream.Write(word);
    }
}

/// <summary>CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320) as PNG and zip use it, table driven.</summary>
internal static class Crc32
{
    /// <summary>Start value; the final CRC is the running value XOR 0xFFFFFFFF.</summary>
    public const uint Initial = 0xFFFFFFFFu;

    private static readonly uint[] Table = BuildTable();

    private static uint[] BuildTable()
    {
        var table = new uint[256];
        for (uint n = 0; n < 256; n++)
        {
            uint c = n;
            for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            table[n] = c;
        }
        return table;
    }

    public static uint Update(uint crc, ReadOnlySpan<byte> data)
    {
        foreach (byte b in data) crc = Table[(crc ^ b) & 0xFF] ^ (crc >> 8);
        return crc;
    }

    /// <summary>The CRC-32 of <paramref name="data"/>.</summary>
    public static uint Compute(ReadOnlySpan<byte> data) => Update(Initial, data) ^ 0xFFFFFFFFu;
}
