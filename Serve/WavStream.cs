using WaveFlow.Audio.Wav;

namespace WaveFlow.Serve;

/// <summary>
/// A mono WAV file sent piece by piece. The sample count is known before the first sample is made
/// (F mel frames give F·hop samples), so the header carries the exact RIFF and data sizes and the
/// response is a well-formed file whichever way a client reads it: as a stream, or whole. The
/// samples are encoded by the same code as <c>waveflow synthesize</c>'s files (PCM16: clamp(round(x·32768))).
/// </summary>
internal sealed class WavStream(int sampleRate, WavSampleFormat format)
{
    private readonly int headerBytes = Header(sampleRate, format, 0).Length;

    public int BytesPerSample { get; } = format == WavSampleFormat.Float32 ? 4 : 2;

    /// <summary>The header of a file of <paramref name="samples"/> samples.</summary>
    public byte[] Header(long samples) => Header(sampleRate, format, samples * BytesPerSample);

    /// <summary>A piece's samples as the file stores them.</summary>
    public ReadOnlyMemory<byte> Payload(float[] piece) => WavFile.Encode(piece, sampleRate, format).AsMemory(headerBytes);

    private static byte[] Header(int sampleRate, WavSampleFormat format, long dataBytes)
    {
        bool isFloat = format == WavSampleFormat.Float32;
        return WavHeader.Mono(sampleRate, isFloat ? 32 : 16, isFloat, dataBytes);
    }
}
