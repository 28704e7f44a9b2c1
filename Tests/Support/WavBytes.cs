using System.Text;

namespace WaveFlow.Tests.Support;

/// <summary>WAV files written byte by byte from the format's layout (independent of the reader under test): RIFF, fmt, data.</summary>
internal static class WavBytes
{
    /// <summary>A WAV file of <paramref name="data"/> (interleaved samples) with a 16-byte fmt chunk:
    /// format <paramref name="tag"/> (1 PCM, 3 IEEE float, 6 A-law, ...), <paramref name="channels"/>,
    /// <paramref name="rate"/> Hz, <paramref name="bits"/> per sample; the data chunk's size as the header
    /// states it is <paramref name="declaredData"/> (default: the real size).</summary>
    public static byte[] Build(ushort tag, int channels, int rate, int bits, byte[] data, int? declaredData = null)
    {
        using var ms = new MemoryStream();
        using var w = new BinaryWriter(ms);
        int blockAlign = channels * bits / 8;
        w.Write(Encoding.ASCII.GetBytes("RIFF")); w.Write(36 + (declaredData ?? data.Length)); w.Write(Encoding.ASCII.GetBytes("WAVE"));
        w.Write(Encoding.ASCII.GetBytes("fmt ")); w.Write(16); w.Write(tag); w.Write((ushort)channels);
        w.Write(rate); w.Write(rate * blockAlign); w.Write((ushort)blockAlign); w.Write((ushort)bits);
        w.Write(Encoding.ASCII.GetBytes("data")); w.Write(declaredData ?? data.Length); w.Write(data);
        w.Flush();
        return ms.ToArray();
    }
}
