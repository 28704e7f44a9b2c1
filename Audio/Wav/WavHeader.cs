using System.Buffers.Binary;
using WaveFlow.Core;

namespace WaveFlow.Audio.Wav;

/// <summary>
/// A WAV file's header, read by walking its RIFF chunks without decoding a sample: the fmt
/// fields, where the data chunk starts, and its declared and available size. <see cref="WavFile"/>
/// decodes from it; training uses it to check a whole corpus in a second before it starts. A file
/// cut short (an interrupted copy or download) is told apart from a shorter recording.
/// </summary>
internal sealed record WavHeader(int Format, int Channels, int SampleRate, int BitsPerSample, long DeclaredDataBytes, long AvailableDataBytes)
{
    /// <summary>WAVE_FORMAT_PCM, WAVE_FORMAT_IEEE_FLOAT and WAVE_FORMAT_EXTENSIBLE.</summary>
    public const int Pcm = 1, IeeeFloat = 3, Extensible = 0xFFFE;

    /// <summary>Bytes of one sample frame (one sample per channel), as the fmt chunk declares it.</summary>
    public int BlockAlign { get; init; }

    /// <summary>The encoding: <see cref="Format"/>, or for WAVE_FORMAT_EXTENSIBLE the tag its SubFormat GUID carries
    /// (null when that GUID is not one of the KSDATAFORMAT_SUBTYPE family).</summary>
    public int? Encoding { get; init; }

    /// <summary>The SubFormat GUID of a WAVE_FORMAT_EXTENSIBLE file.</summary>
    public Guid? SubFormat { get; init; }

    /// <summary>Offset of the first sample byte in the file.</summary>
    public long DataOffset { get; init; }

    /// <summary>Streaming writers leave 0 or 0xFFFFFFFF as the data size: the file's end is the data's end then.</summary>
    public bool SizeUnknown => DeclaredDataBytes is 0 or uint.MaxValue;

    /// <summary>True when the data chunk promises more bytes than the file holds.</summary>
    public bool Truncated => !SizeUnknown && DeclaredDataBytes > AvailableDataBytes;

    /// <summary>Bytes of audio to decode: the declared size, or to the end of the file when unknown.</summary>
    public long DataBytes => SizeUnknown ? AvailableDataBytes : Math.Min(DeclaredDataBytes, AvailableDataBytes);

    /// <summary>Refuses a file cut short (an interrupted copy or download), naming <paramref name="path"/>.</summary>
    public void ThrowIfTruncated(string path)
    {
        if (Truncated)
            throw WaveFlowException.ForFile(path, $"truncated: header says {DeclaredDataBytes} bytes of audio data, file has {AvailableDataBytes}");
    }

    /// <summary>Sample frames (one sample per channel) in the data chunk, as far as the file holds them.</summary>
    public long Frames => DataBytes / Math.Max(1, Channels * BitsPerSample / 8);

    public static WavHeader Read(string path)
    {
        if (!File.Exists(path)) throw WaveFlowException.ForFile(path, "file not found");
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 4096);
        return Read(stream, path);
    }

    // KSDATAFORMAT_SUBTYPE_PCM is 00000001-0000-0010-8000-00AA00389B71, IEEE float 00000003-…: the
    // format tag in the first two bytes, then these 14 bytes.
    private static ReadOnlySpan<byte> SubtypeTail => [0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71];

    /// <summary>Reads from the stream's current position (the start of the RIFF header); errors name <paramref name="path"/>.</summary>
    public static WavHeader Read(Stream stream, string path)
    {
        Span<byte> head = stackalloc byte[12];
        if (stream.ReadAtLeast(head, 12, throwOnEndOfStream: false) < 12
            || !head[..4].SequenceEqual("RIFF"u8) || !head[8..12].SequenceEqual("WAVE"u8))
            throw WaveFlowException.ForFile(path, "not a WAV file (no RIFF/WAVE header)");
        WavHeader? fmt = null;
        Span<byte> chunk = stackalloc byte[8];
        Span<byte> f = stackalloc byte[40];
        while (stream.ReadAtLeast(chunk, 8, throwOnEndOfStream: false) == 8)
        {
            uint size = BinaryPrimitives.ReadUInt32LittleEndian(chunk[4..]);
            if (chunk[..4].SequenceEqual("fmt "u8))
            {
                if (size < 16) throw WaveFlowException.ForFile(path, $"fmt chunk of {size} bytes is too short");
                int take = size >= 40 ? 40 : 16;
                if (stream.ReadAtLeast(f[..take], take, throwOnEndOfStream: false) < take) throw WaveFlowException.ForFile(path, "truncated fmt chunk");
                int format = BinaryPrimitives.ReadUInt16LittleEndian(f);
                Guid? subFormat = null;
                int? encoding = format;
                if (format == Extensible)
                {
                    if (take < 40) throw WaveFlowException.ForFile(path, $"WAVE_FORMAT_EXTENSIBLE fmt chunk of {size} bytes is too short (40 expected)");
                    subFormat = new Guid(f[24..40]);
                    encoding = f[26..40].SequenceEqual(SubtypeTail) ? BinaryPrimitives.ReadUInt16LittleEndian(f[24..]) : null;
                }
                fmt = new WavHeader(
                    Format: format,
                    Channels: BinaryPrimitives.ReadUInt16LittleEndian(f[2..]),
                    SampleRate: (int)BinaryPrimitives.ReadUInt32LittleEndian(f[4..]),
                    BitsPerSample: BinaryPrimitives.ReadUInt16LittleEndian(f[14..]),
                    DeclaredDataBytes: 0, AvailableDataBytes: 0)
                {
                    BlockAlign = BinaryPrimitives.ReadUInt16LittleEndian(f[12..]),
                    Encoding = encoding,
                    SubFormat = subFormat,
                };
                if (!Skip(stream, size - take + (size & 1))) break;           // chunks are padded to an even size
            }
            else if (chunk[..4].SequenceEqual("data"u8))
            {
                if (fmt is null) throw WaveFlowException.ForFile(path, "data chunk before fmt chunk");
                return fmt with { DeclaredDataBytes = size, AvailableDataBytes = stream.Length - stream.Position, DataOffset = stream.Position };
            }
            else if (!Skip(stream, size + (size & 1)))
            {
                break;
            }
        }
        throw WaveFlowException.ForFile(path, fmt is null ? "no fmt chunk" : "no data chunk");
    }

    /// <summary>Moves past <paramref name="bytes"/>; false when that is past the end (a damaged size
    /// must not move a stream beyond what it can address).</summary>
    private static bool Skip(Stream stream, long bytes)
    {
        if (bytes > stream.Length - stream.Position) return false;
        stream.Position += bytes;
        return true;
    }

    /// <summary>
    /// The header of a mono file of <paramref name="dataBytes"/> bytes of samples, as common writers
    /// lay it out: PCM with the 16-byte fmt chunk (44 bytes in all); IEEE float with the 18-byte fmt
    /// chunk (cbSize 0) and the fact chunk (sample count) that non-PCM formats carry (58 bytes).
    /// </summary>
    public static byte[] Mono(int sampleRate, int bitsPerSample, bool isFloat, long dataBytes)
    {
        int fmtSize = isFloat ? 18 : 16;
        int headerBytes = 12 + 8 + fmtSize + (isFloat ? 12 : 0) + 8;
        if (dataBytes + headerBytes - 8 > uint.MaxValue) throw new ArgumentOutOfRangeException(nameof(dataBytes), dataBytes, "a WAV file holds at most 4 GB");
        int blockAlign = bitsPerSample / 8;
        var h = new byte[headerBytes];
        var s = h.AsSpan();
        "RIFF"u8.CopyTo(s);
        BinaryPrimitives.WriteUInt32LittleEndian(s[4..], (uint)(headerBytes - 8 + dataBytes));
        "WAVE"u8.CopyTo(s[8..]);
        "fmt "u8.CopyTo(s[12..]);
        BinaryPrimitives.WriteUInt32LittleEndian(s[16..], (uint)fmtSize);
        BinaryPrimitives.WriteUInt16LittleEndian(s[20..], (ushort)(isFloat ? IeeeFloat : Pcm));
        BinaryPrimitives.WriteUInt16LittleEndian(s[22..], 1);                                   // channels
        BinaryPrimitives.WriteUInt32LittleEndian(s[24..], (uint)sampleRate);
        BinaryPrimitives.WriteUInt32LittleEndian(s[28..], (uint)(sampleRate * blockAlign));     // bytes per second
        BinaryPrimitives.WriteUInt16LittleEndian(s[32..], (ushort)blockAlign);
        BinaryPrimitives.WriteUInt16LittleEndian(s[34..], (ushort)bitsPerSample);
        int at = 20 + fmtSize;                                                                  // cbSize (float) is already 0
        if (isFloat)
        {
            "fact"u8.CopyTo(s[at..]);
            BinaryPrimitives.WriteUInt32LittleEndian(s[(at + 4)..], 4);
            BinaryPrimitives.WriteUInt32LittleEndian(s[(at + 8)..], (uint)(dataBytes / blockAlign));
            at += 12;
        }
        "data"u8.CopyTo(s[at..]);
        BinaryPrimitives.WriteUInt32LittleEndian(s[(at + 4)..], (uint)dataBytes);
        return h;
    }
}
