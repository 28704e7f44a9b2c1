using System.Buffers.Binary;
using System.IO.Compression;
using System.IO.Hashing;
using System.Text;
using WaveFlow.Audio.Imaging;
using WaveFlow.Core;
using WaveFlow.Core.Imaging;
using WaveFlow.Tests.Support;

namespace WaveFlow.Tests.Audio;

public class SpectrogramImageTests
{
    [Fact]
    public void PngChunkCrcsAreIeeeCrc32()
    {
        // CRC-32/ISO-HDLC's check value for "123456789" (the CRC PNG specifies), and every PNG ends
        // with the same 12 bytes: IEND's empty chunk and its CRC AE 42 60 82.
        Assert.Equal(0xCBF43926u, Crc32.HashToUInt32("123456789"u8));
        byte[] png = PngEncoder.EncodeRgb([1, 2, 3, 4, 5, 6], 2, 1);
        Assert.Equal(new byte[] { 0, 0, 0, 0, 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82 }, png[^12..]);
    }

    [Fact]
    public void WritesAValidPngOfTheMelsSizeWithLowFrequenciesAtTheBottom()
    {
        // 3 mel bands × 4 frames; band 0 loud, band 2 quiet.
        var mel = new FloatArray([0, 0, 0, 0, -5, -5, -5, -5, -11.5f, -11.5f, -11.5f, -11.5f], [3, 4]);
        using var tmp = new TempDir();
        var path = tmp["m.png"];
        SpectrogramImage.WritePng(path, mel, scale: 2);
        byte[] png = File.ReadAllBytes(path);

        Assert.Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }, png[..8]);
        var chunks = Chunks(png);
        Assert.Equal(new[] { "IHDR", "IDAT", "IEND" }, chunks.Select(c => c.Type));
        var ihdr = chunks[0].Data;
        Assert.Equal(8, BinaryPrimitives.ReadInt32BigEndian(ihdr));   // width = 4 frames × 2
        Assert.Equal(6, BinaryPrimitives.ReadInt32BigEndian(ihdr.AsSpan(4)));  // height = 3 bands × 2
        Assert.Equal(new byte[] { 8, 2, 0, 0, 0 }, ihdr[8..]);

        using var z = new ZLibStream(new MemoryStream(chunks[1].Data), CompressionMode.Decompress);
        using var raw = new MemoryStream();
        z.CopyTo(raw);
        var pixels = raw.ToArray();
        Assert.Equal(6 * (1 + 8 * 3), pixels.Length);
        // Top row: the quietest band (viridis' dark purple); bottom row: the loudest (yellow).
        Assert.Equal(new byte[] { 0, 68, 1, 84 }, pixels[..4]);
        Assert.Equal(new byte[] { 0, 253, 231, 37 }, pixels[(5 * 25)..(5 * 25 + 4)]);
    }

    private static List<(string Type, byte[] Data)> Chunks(byte[] png)
    {
        var list = new List<(string, byte[])>();
        for (int pos = 8; pos < png.Length;)
        {
            int length = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(pos));
            string type = Encoding.ASCII.GetString(png, pos + 4, 4);
            var data = png.AsSpan(pos + 8, length).ToArray();
            uint crc = BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(pos + 8 + length));
            Assert.Equal(Crc32.HashToUInt32(png.AsSpan(pos + 4, 4 + length)), crc);
            list.Add((type, data));
            pos += 12 + length;
        }
        return list;
    }
}
