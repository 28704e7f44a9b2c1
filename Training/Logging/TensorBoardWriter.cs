using System.Buffers.Binary;
using System.IO.Hashing;
using Google.Protobuf;
using Tensorboard;
using WaveFlow.Audio.Imaging;
using WaveFlow.Audio.Wav;
using WaveFlow.Core;

namespace WaveFlow.Training.Logging;

/// <summary>
/// Writes TensorBoard event files (<c>events.out.tfevents.*</c>): scalars, audio and PNG images.
/// TorchSharp 0.107's SummaryWriter writes scalars but has no add_audio, encodes images through
/// SkiaSharp (no native SkiaSharp on Linux here), stores whole-second wall times and reopens the
/// file for every event; so we reuse only its generated protobuf messages (Tensorboard.Event,
/// Summary) and write the TFRecord framing ourselves:
/// <c>u64 length · u32 masked-crc32c(length) · payload · u32 masked-crc32c(payload)</c>.
/// </summary>
internal sealed class TensorBoardWriter : IDisposable
{
    private readonly FileStream _file;
    private readonly Lock _lock = new();

    /// <summary>The event file being written.</summary>
    public string Path { get; }

    public TensorBoardWriter(string logDir)
    {
        Directory.CreateDirectory(logDir);
        long unixSeconds = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        Path = System.IO.Path.Combine(logDir, $"events.out.tfevents.{unixSeconds}.{Environment.MachineName}.{Environment.ProcessId}.waveflow");
        _file = new FileStream(Path, FileMode.Append, FileAccess.Write, FileShare.Read);
        // The first record of every event file announces the format version.
        Write(new Event { WallTime = Now(), FileVersion = "brain.Event:2" });
    }

    public void AddScalar(string tag, double value, long step) =>
        WriteSummary(step, new Summary.Types.Value { Tag = tag, SimpleValue = (float)value });

    /// <summary>Mono audio in [-1, 1], stored as a 16-bit PCM WAV.</summary>
    public void AddAudio(string tag, ReadOnlySpan<float> samples, int sampleRate, long step) =>
        WriteSummary(step, new Summary.Types.Value
        {
            Tag = tag,
            Audio = new Summary.Types.Audio
            {
                SampleRate = sampleRate,
                NumChannels = 1,
                LengthFrames = samples.Length,
                EncodedAudioString = ByteString.CopyFrom(WavFile.Encode(samples, sampleRate)),
                ContentType = "audio/wav",
            },
        });

    /// <summary>An already encoded PNG image (e.g. from SpectrogramImage).</summary>
    public void AddPng(string tag, byte[] png, int width, int height, long step) =>
        WriteSummary(step, new Summary.Types.Value
        {
            Tag = tag,
            Image = new Summary.Types.Image { Width = width, Height = height, Colorspace = 3, EncodedImageString = ByteString.CopyFrom(png) },
        });

    public void Flush()
    {
        lock (_lock) _file.Flush();
    }

    public void Dispose()
    {
        lock (_lock) _file.Dispose();
    }

    private void WriteSummary(long step, Summary.Types.Value value)
    {
        var summary = new Summary();
        summary.Value.Add(value);
        Write(new Event { WallTime = Now(), Step = step, Summary = summary });
    }

    private void Write(Event e)
    {
        var payload = e.ToByteArray();
        var header = new byte[12];
        BinaryPrimitives.WriteUInt64LittleEndian(header, (ulong)payload.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(8), MaskedCrc(header.AsSpan(0, 8).ToArray()));
        var footer = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(footer, MaskedCrc(payload));
        lock (_lock)
        {
            _file.Write(header);
            _file.Write(payload);
            _file.Write(footer);
            _file.Flush();
        }
    }

    /// <summary>TFRecord's CRC: CRC-32C, rotated right by 15 bits plus a constant.</summary>
    internal static uint MaskedCrc(byte[] data)
    {
        uint crc = Crc32.HashToUInt32(Crc32ParameterSet.Crc32C, data);   // CRC-32C (Castagnoli)
        return ((crc >> 15) | (crc << 17)) + 0xa282ead8u;
    }

    private static double Now() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0;

    /// <summary>Reads an event file back, checking every CRC (tests and tools).</summary>
    public static IReadOnlyList<Event> ReadEvents(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var events = new List<Event>();
        int pos = 0;
        while (pos < bytes.Length)
        {
            if (bytes.Length - pos < 12) throw WaveFlowException.ForFile(path, $"truncated record header at byte {pos}");
            long length = (long)BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(pos));
            if (BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(pos + 8)) != MaskedCrc(bytes[pos..(pos + 8)]))
                throw WaveFlowException.ForFile(path, $"bad length CRC at byte {pos}");
            if (length > bytes.Length - pos - 16) throw WaveFlowException.ForFile(path, $"truncated record at byte {pos}");
            var payload = bytes[(pos + 12)..(pos + 12 + (int)length)];
            if (BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(pos + 12 + (int)length)) != MaskedCrc(payload))
                throw WaveFlowException.ForFile(path, $"bad payload CRC at byte {pos}");
            events.Add(Event.Parser.ParseFrom(payload));
            pos += 16 + (int)length;
        }
        return events;
    }
}
