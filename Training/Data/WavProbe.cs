using System.Buffers.Binary;

namespace WaveFlow.Training;

/// <summary>
/// Reads only a WAV file's header (format, channels, rate, length), so a corpus of thousands of
/// clips can be checked in a second before training starts, instead of failing hours in when
/// the sampler first meets a bad file. Decoding the samples is WavFile's job.
/// </summary>
public static class WavProbe
{
    public sealed record Header(int Format, int Channels, int SampleRate, int BitsPerSample, long Frames);

    public static Header Read(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 4096);
        Span<byte> head = stackalloc byte[12];
        if (stream.ReadAtLeast(head, 12, throwOnEndOfStream: false) < 12
            || !head[..4].SequenceEqual("RIFF"u8) || !head[8..12].SequenceEqual("WAVE"u8))
            throw WaveFlowException.ForFile(path, "not a WAV file (no RIFF/WAVE header)");
        Header? fmt = null;
        Span<byte> chunk = stackalloc byte[8];
        Span<byte> f = stackalloc byte[16];
        while (stream.ReadAtLeast(chunk, 8, throwOnEndOfStream: false) == 8)
        {
            uint size = BinaryPrimitives.ReadUInt32LittleEndian(chunk[4..]);
            if (chunk[..4].SequenceEqual("fmt "u8))
            {
                if (size < 16) throw WaveFlowException.ForFile(path, $"fmt chunk of {size} bytes is too short");
                stream.ReadExactly(f);
                int format = BinaryPrimitives.ReadUInt16LittleEndian(f);
                int channels = BinaryPrimitives.ReadUInt16LittleEndian(f[2..]);
                int rate = (int)BinaryPrimitives.ReadUInt32LittleEndian(f[4..]);
                int bits = BinaryPrimitives.ReadUInt16LittleEndian(f[14..]);
                fmt = new Header(format, channels, rate, bits, 0);
                stream.Seek(size - 16 + (size & 1), SeekOrigin.Current);
            }
            else if (chunk[..4].SequenceEqual("data"u8))
            {
                if (fmt is null) throw WaveFlowException.ForFile(path, "data chunk before fmt chunk");
                int frameBytes = Math.Max(1, fmt.Channels * fmt.BitsPerSample / 8);
                // Streamed WAVs may carry 0 or 0xFFFFFFFF as size: trust the file length then.
                long available = stream.Length - stream.Position;
                long bytes = size == 0 || size == uint.MaxValue ? available : Math.Min(size, available);
                return fmt with { Frames = bytes / frameBytes };
            }
            else
            {
                stream.Seek(size + (size & 1), SeekOrigin.Current);
            }
        }
        throw WaveFlowException.ForFile(path, fmt is null ? "no fmt chunk" : "no data chunk");
    }

    /// <summary>Checks what training needs: mono, the expected rate, a format WavFile decodes.</summary>
    public static Header Check(string path, int expectedSampleRate)
    {
        var h = Read(path);
        if (h.SampleRate != expectedSampleRate)
            throw WaveFlowException.ForFile(path, $"sample rate is {h.SampleRate} Hz, the config's data_config.sampling_rate is {expectedSampleRate} Hz (resample the corpus, e.g. sox in.wav -r {expectedSampleRate} out.wav)");
        if (h.Channels != 1)
            throw WaveFlowException.ForFile(path, $"has {h.Channels} channels; training needs mono clips");
        if (h.Format is not (1 or 3 or 0xFFFE))
            throw WaveFlowException.ForFile(path, $"unsupported WAV format tag {h.Format} (PCM or IEEE float expected)");
        if (h.Frames == 0) throw WaveFlowException.ForFile(path, "has no samples");
        return h;
    }
}
