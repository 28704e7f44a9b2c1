using System.Buffers.Binary;
using WaveFlow.Core;

namespace WaveFlow.Audio.Wav;

/// <summary>
/// A WAV file's header, read by walking its RIFF chunks without decoding a sample: the fmt
/// fields and the data chunk's declared and available size. WavFile uses it to catch files cut
/// short (which NAudio quietly reads as shorter recordings); training uses it to check a whole
/// corpus in a second before it starts.
/// </summary>
internal sealed record WavHeader(int Format, int Channels, int SampleRate, int BitsPerSample, long DeclaredDataBytes, long AvailableDataBytes)
{
    /// <summary>Streaming writers leave 0 or 0xFFFFFFFF as the data size: the file's end is the data's end then.</summary>
    public bool SizeUnknown => DeclaredDataBytes is 0 or uint.MaxValue;

    /// <summary>True when the data chunk promises more bytes than the file holds.</summary>
    public bool Truncated => !SizeUnknown && DeclaredDataBytes > AvailableDataBytes;

    /// <summary>Refuses a file cut short (an interrupted copy or download), naming <paramref name="path"/>.</summary>
    public void ThrowIfTruncated(string path)
    {
        if (Truncated)
            throw WaveFlowException.ForFile(path, $"truncated: header says {DeclaredDataBytes} bytes of audio data, file has {AvailableDataBytes}");
    }

    /// <summary>Sample frames (one sample per channel) in the data chunk, as far as the file holds them.</summary>
    public long Frames => (SizeUnknown ? AvailableDataBytes : Math.Min(DeclaredDataBytes, AvailableDataBytes)) / Math.Max(1, Channels * BitsPerSample / 8);

    public static WavHeader Read(string path)
    {
        if (!File.Exists(path)) throw WaveFlowException.ForFile(path, "file not found");
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 4096);
        return Read(stream, path);
    }

    /// <summary>Reads from the stream's current position (the start of the RIFF header); errors name <paramref name="path"/>.</summary>
    public static WavHeader Read(Stream stream, string path)
    {
        Span<byte> head = stackalloc byte[12];
        if (stream.ReadAtLeast(head, 12, throwOnEndOfStream: false) < 12
            || !head[..4].SequenceEqual("RIFF"u8) || !head[8..12].SequenceEqual("WAVE"u8))
            throw WaveFlowException.ForFile(path, "not a WAV file (no RIFF/WAVE header)");
        WavHeader? fmt = null;
        Span<byte> chunk = stackalloc byte[8];
        Span<byte> f = stackalloc byte[16];
        while (stream.ReadAtLeast(chunk, 8, throwOnEndOfStream: false) == 8)
        {
            uint size = BinaryPrimitives.ReadUInt32LittleEndian(chunk[4..]);
            if (chunk[..4].SequenceEqual("fmt "u8))
            {
                if (size < 16) throw WaveFlowException.ForFile(path, $"fmt chunk of {size} bytes is too short");
                if (stream.ReadAtLeast(f, 16, throwOnEndOfStream: false) < 16) throw WaveFlowException.ForFile(path, "truncated fmt chunk");
                fmt = new WavHeader(
                    Format: BinaryPrimitives.ReadUInt16LittleEndian(f),
                    Channels: BinaryPrimitives.ReadUInt16LittleEndian(f[2..]),
                    SampleRate: (int)BinaryPrimitives.ReadUInt32LittleEndian(f[4..]),
                    BitsPerSample: BinaryPrimitives.ReadUInt16LittleEndian(f[14..]),
                    DeclaredDataBytes: 0, AvailableDataBytes: 0);
                stream.Seek(size - 16 + (size & 1), SeekOrigin.Current);     // chunks are padded to an even size
            }
            else if (chunk[..4].SequenceEqual("data"u8))
            {
                if (fmt is null) throw WaveFlowException.ForFile(path, "data chunk before fmt chunk");
                return fmt with { DeclaredDataBytes = size, AvailableDataBytes = stream.Length - stream.Position };
            }
            else
            {
                stream.Seek(size + (size & 1), SeekOrigin.Current);
            }
        }
        throw WaveFlowException.ForFile(path, fmt is null ? "no fmt chunk" : "no data chunk");
    }
}
