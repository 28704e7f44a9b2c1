using NAudio.Wave;
using WaveFlow.Core;
using WaveFlow.Core.IO;

namespace WaveFlow.Audio.Wav;

/// <summary>
/// WAV files through NAudio: reads 16/24/32-bit integer PCM and 32/64-bit IEEE float (plain or
/// WAVE_FORMAT_EXTENSIBLE), writes 16-bit PCM or 32-bit float atomically. Every problem with a
/// file is a one-line <see cref="WaveFlowException"/> that names it.
/// </summary>
internal static class WavFile
{
    public static AudioClip Read(string path, WavReadOptions? options = null)
    {
        options ??= new WavReadOptions();
        if (!File.Exists(path)) throw WaveFlowException.ForFile(path, "file not found");
        return Parse(File.ReadAllBytes(path), path, options);
    }

    /// <summary>Reads a whole WAV file held in memory; errors name <paramref name="path"/>.</summary>
    public static AudioClip Parse(byte[] bytes, string path, WavReadOptions? options = null)
    {
        options ??= new WavReadOptions();
        if (bytes.Length == 0) throw WaveFlowException.ForFile(path, "empty file");

        WaveFormat format;
        byte[] data;
        try
        {
            using var reader = new WaveFileReader(new MemoryStream(bytes, writable: false));
            format = reader.WaveFormat;
            long declared = reader.Length;
            data = new byte[declared];
            int read = reader.Read(data, 0, data.Length), n;
            while (read < data.Length && (n = reader.Read(data, read, data.Length - read)) > 0) read += n;
            if (read < declared) Array.Resize(ref data, read);
        }
        catch (Exception e) when (e is FormatException or EndOfStreamException or InvalidDataException or ArgumentException or OverflowException or IOException or NotSupportedException)
        {
            throw WaveFlowException.ForFile(path, $"not a readable WAV file ({FirstLine(e.Message)})", e);
        }
        // NAudio quietly shortens a data chunk that runs past the end of the file; a file cut
        // short (an interrupted copy or download) must not pass for a shorter recording.
        WavHeader.Read(new MemoryStream(bytes, writable: false), path).ThrowIfTruncated(path);
        if (format.BlockAlign <= 0) throw WaveFlowException.ForFile(path, $"WAV header declares block align {format.BlockAlign}");
        if (data.Length % format.BlockAlign != 0)
            throw WaveFlowException.ForFile(path, $"truncated: {data.Length} bytes of audio data is not a whole number of {format.BlockAlign}-byte frames");

        int channels = format.Channels;
        if (channels < 1) throw WaveFlowException.ForFile(path, "WAV header declares 0 channels");
        if (format.SampleRate <= 0) throw WaveFlowException.ForFile(path, $"WAV header declares sample rate {format.SampleRate}");
        float[] interleaved = Decode(path, format, data);
        float[] mono = channels == 1 ? interleaved : Downmix(path, interleaved, channels, options.Downmix);

        int rate = format.SampleRate;
        if (options.ExpectedSampleRate is { } expected && expected != rate)
        {
            if (!options.Resample)
                throw WaveFlowException.ForFile(path, $"sample rate is {rate} Hz, expected {expected} Hz (ask for resampling, e.g. --resample, to convert it)");
            if (rate is < AudioResampler.MinRate or > AudioResampler.MaxRate)
                throw WaveFlowException.ForFile(path, $"sample rate {rate} Hz is outside the {AudioResampler.MinRate}..{AudioResampler.MaxRate} Hz that --resample converts (a damaged header?)");
            mono = AudioResampler.Resample(mono, rate, expected);
            rate = expected;
        }
        return new AudioClip(mono, rate);
    }

    /// <summary>Integer PCM is scaled by 2^(bits−1) (int16/32768, as Tacotron2's loader does); float is taken as is.</summary>
    private static float[] Decode(string path, WaveFormat format, byte[] data)
    {
        var (isFloat, bits) = Encoding(path, format);
        int bytesPerSample = bits / 8;
        if (bits % 8 != 0 || format.BlockAlign != format.Channels * bytesPerSample)
            throw WaveFlowException.ForFile(path, $"inconsistent WAV header: block align {format.BlockAlign} for {format.Channels} channel(s) of {bits}-bit samples");
        int count = data.Length / bytesPerSample;
        var samples = new float[count];
        switch (isFloat, bits)
        {
            case (false, 16):
                for (int i = 0; i < count; i++) samples[i] = BitConverter.ToInt16(data, 2 * i) / 32768f;
                break;
            case (false, 24):
                for (int i = 0; i < count; i++)
                {
                    // little-endian 3-byte two's complement: put it in the top of an int, shift back down.
                    int v = (data[3 * i] << 8 | data[3 * i + 1] << 16 | data[3 * i + 2] << 24) >> 8;
                    samples[i] = v / 8388608f;
                }
                break;
            case (false, 32):
                for (int i = 0; i < count; i++) samples[i] = (float)(BitConverter.ToInt32(data, 4 * i) / 2147483648.0);
                break;
            case (true, 32):
                Buffer.BlockCopy(data, 0, samples, 0, count * 4);
                break;
            case (true, 64):
                for (int i = 0; i < count; i++) samples[i] = (float)BitConverter.ToDouble(data, 8 * i);
                break;
            default:
                throw WaveFlowException.ForFile(path, $"{bits}-bit {(isFloat ? "float" : "PCM")} samples are not supported (16/24/32-bit PCM or 32/64-bit float)");
        }
        foreach (float s in samples)
            if (!float.IsFinite(s)) throw WaveFlowException.ForFile(path, "contains NaN or infinite samples");
        return samples;
    }

    private static (bool IsFloat, int Bits) Encoding(string path, WaveFormat format)
    {
        var encoding = format.Encoding;
        if (format is WaveFormatExtensible ext)
        {
            if (ext.SubFormat == AudioMediaSubtypes.MEDIASUBTYPE_PCM) encoding = WaveFormatEncoding.Pcm;
            else if (ext.SubFormat == AudioMediaSubtypes.MEDIASUBTYPE_IEEE_FLOAT) encoding = WaveFormatEncoding.IeeeFloat;
            else throw WaveFlowException.ForFile(path, $"unsupported WAVE_FORMAT_EXTENSIBLE subformat {ext.SubFormat}");
        }
        return encoding switch
        {
            WaveFormatEncoding.Pcm => (false, format.BitsPerSample),
            WaveFormatEncoding.IeeeFloat => (true, format.BitsPerSample),
            _ => throw WaveFlowException.ForFile(path, $"unsupported WAV encoding {encoding} (only PCM and IEEE float)"),
        };
    }

    private static float[] Downmix(string path, float[] interleaved, int channels, bool allowed)
    {
        if (!allowed)
            throw WaveFlowException.ForFile(path, $"has {channels} channels, WaveFlow needs mono (ask for a downmix, e.g. --downmix, to average the channels)");
        var mono = new float[interleaved.Length / channels];
        for (int i = 0; i < mono.Length; i++)
        {
            double sum = 0;
            for (int c = 0; c < channels; c++) sum += interleaved[i * channels + c];
            mono[i] = (float)(sum / channels);
        }
        return mono;
    }

    /// <summary>Writes mono audio atomically (see <see cref="Encode"/>).</summary>
    public static void Write(string path, ReadOnlySpan<float> samples, int sampleRate, WavSampleFormat format = WavSampleFormat.Pcm16) =>
        AtomicFile.WriteAllBytes(path, Encode(samples, sampleRate, format));

    /// <summary>
    /// Mono audio as the bytes of a WAV file (for a file, a report page or a TensorBoard event).
    /// PCM16 stores clamp(round(x·32768), −32768, 32767), the exact inverse of the reader's
    /// int16/32768, so PCM16 round trips are lossless.
    /// </summary>
    public static byte[] Encode(ReadOnlySpan<float> samples, int sampleRate, WavSampleFormat format = WavSampleFormat.Pcm16)
    {
        if (sampleRate <= 0) throw new ArgumentOutOfRangeException(nameof(sampleRate), sampleRate, "sample rate must be positive");
        byte[] payload;
        WaveFormat waveFormat;
        if (format == WavSampleFormat.Pcm16)
        {
            payload = new byte[samples.Length * 2];
            for (int i = 0; i < samples.Length; i++)
            {
                float x = float.IsNaN(samples[i]) ? 0f : samples[i];
                short v = (short)Math.Clamp(Math.Round(x * 32768.0), short.MinValue, short.MaxValue);
                BitConverter.TryWriteBytes(payload.AsSpan(2 * i), v);
            }
            waveFormat = new WaveFormat(sampleRate, 16, 1);
        }
        else
        {
            payload = new byte[samples.Length * 4];
            samples.CopyTo(System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(payload.AsSpan()));
            waveFormat = WaveFormat.CreateIeeeFloatWaveFormat(sampleRate, 1);
        }
        var stream = new MemoryStream(payload.Length + 64);
        // NAudio 3 leaves a caller-supplied stream open; disposing the writer completes the header.
        using (var writer = new WaveFileWriter(stream, waveFormat))
            writer.Write(payload, 0, payload.Length);
        return stream.ToArray();
    }

    private static string FirstLine(string message) => message.Split('\n', 2)[0].Trim();
}
