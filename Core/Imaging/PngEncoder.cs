using System.Buffers.Binary;
using System.IO.Compression;
using System.IO.Hashing;

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
        var crc = new Crc32();     // IEEE 802.3 CRC-32, the one PNG specifies
        crc.Append(type);
        crc.Append(data);
        BinaryPrimitives.WriteUInt32BigEndian(word, crc.GetCurrentHashAsUInt32());
        stream.Write(word);
    }
}
