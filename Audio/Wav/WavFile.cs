using System.Buffers.Binary;
using WaveFlow.Core;
using WaveFlow.Core.IO;

namespace WaveFlow.Audio.Wav;

/// <summary>
/// WAV files: reads 16/24/32-bit integer PCM and 32/64-bit IEEE float (plain or
/// WAVE_FORMAT_EXTENSIBLE), writes 16-bit PCM or 32-bit float atomically. Every problem with a
/// file is a one-line <see cref="WaveFlowException"/> that names it.
/// <para>
/// No audio library: the RIFF walk (<see cref="WavHeader"/>) is needed anyway, because NAudio's
/// WaveFileReader (3.3) reads a data chunk that runs past the end of the file as a shorter
/// recording and has no strict mode to refuse it, and training checks a corpus from headers
/// alone. With that walk, a reader needs only the sample conversion below and a writer a 44- or
/// 58-byte header, and each file is parsed once instead of twice.
/// </para>
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

        var header = WavHeader.Read(new MemoryStream(bytes, writable: false), path);
        header.ThrowIfTruncated(path);
        if (header.BlockAlign <= 0) throw WaveFlowException.ForFile(path, $"WAV header declares block align {header.BlockAlign}");
        var data = bytes.AsSpan((int)header.DataOffset, (int)header.DataBytes);
        if (data.Length % header.BlockAlign != 0)
            throw WaveFlowException.ForFile(path, $"truncated: {data.Length} bytes of audio data is not a whole number of {header.BlockAlign}-byte frames");

        int channels = header.Channels;
        if (channels < 1) throw WaveFlowException.ForFile(path, "WAV header declares 0 channels");
        if (header.SampleRate <= 0) throw WaveFlowException.ForFile(path, $"WAV header declares sample rate {header.SampleRate}");
        float[] interleaved = Decode(path, header, data);
        float[] mono = channels == 1 ? interleaved : Downmix(path, interleaved, channels, options.Downmix);

        int rate = header.SampleRate;
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
    private static float[] Decode(string path, WavHeader header, ReadOnlySpan<byte> data)
    {
        bool isFloat = header.Encoding switch
        {
            WavHeader.Pcm => false,
            WavHeader.IeeeFloat => true,
            _ when header.Format == WavHeader.Extensible => throw WaveFlowException.ForFile(path, $"unsupported WAVE_FORMAT_EXTENSIBLE subformat {header.SubFormat}"),
            _ => throw WaveFlowException.ForFile(path, $"unsupported WAV encoding: format tag {header.Format} (only PCM and IEEE float)"),
        };
        int bits = header.BitsPerSample;
        int bytesPerSample = bits / 8;
        if (bits % 8 != 0 || header.BlockAlign != header.Channels * bytesPerSample)
            throw WaveFlowException.ForFile(path, $"inconsistent WAV header: block align {header.BlockAlign} for {header.Channels} channel(s) of {bits}-bit samples");
        int count = data.Length / bytesPerSample;
        var samples = new float[count];
        switch (isFloat, bits)
        {
            case (false, 16):
                for (int i = 0; i < count; i++) samples[i] = BinaryPrimitives.ReadInt16LittleEndian(data[(2 * i)..]) / 32768f;
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
                for (int i = 0; i < count; i++) samples[i] = (float)(BinaryPrimitives.ReadInt32LittleEndian(data[(4 * i)..]) / 2147483648.0);
                break;
            case (true, 32):
                for (int i = 0; i < count; i++) samples[i] = BinaryPrimitives.ReadSingleLittleEndian(data[(4 * i)..]);
                break;
            case (true, 64):
                for (int i = 0; i < count; i++) samples[i] = (float)BinaryPrimitives.ReadDoubleLittleEndian(data[(8 * i)..]);
                break;
            default:
                throw WaveFlowException.ForFile(path, $"{bits}-bit {(isFloat ? "float" : "PCM")} samples are not supported (16/24/32-bit PCM or 32/64-bit float)");
        }
        foreach (float s in samples)
            if (!float.IsFinite(s)) throw WaveFlowException.ForFile(path, "contains NaN or infinite samples");
        return samples;
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
        bool isFloat = format == WavSampleFormat.Float32;
        int bytesPerSample = isFloat ? 4 : 2;
        byte[] header = WavHeader.Mono(sampleRate, 8 * bytesPerSample, isFloat, (long)samples.Length * bytesPerSample);
        var file = new byte[header.Length + (long)samples.Length * bytesPerSample];
        header.CopyTo(file, 0);
        var payload = file.AsSpan(header.Length);
        if (isFloat)
        {
            for (int i = 0; i < samples.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(payload[(4 * i)..], samples[i]);
        }
        else
        {
            for (int i = 0; i < samples.Length; i++)
            {
                float x = float.IsNaN(samples[i]) ? 0f : samples[i];
                short v = (short)Math.Clamp(Math.Round(x * 32768.0), short.MinValue, short.MaxValue);
                BinaryPrimitives.WriteInt16LittleEndian(payload[(2 * i)..], v);
            }
        }
        return file;
    }
}
