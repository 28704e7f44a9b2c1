namespace WaveFlow.Audio.Wav;

/// <summary>Mono audio: samples in [-1, 1] (PCM16 as int16/32768) and their sample rate.</summary>
internal sealed record AudioClip(float[] Samples, int SampleRate)
{
    public double DurationSeconds => (double)Samples.Length / SampleRate;
}

/// <summary>
/// How <see cref="WavFile.Read"/> treats files that do not fit: a sample rate other than
/// <paramref name="ExpectedSampleRate"/> is an error unless <paramref name="Resample"/>; more
/// than one channel is an error unless <paramref name="Downmix"/> (the channels are averaged).
/// </summary>
internal sealed record WavReadOptions(int? ExpectedSampleRate = null, bool Downmix = false, bool Resample = false);

/// <summary>Sample formats <see cref="WavFile.Write"/> can write.</summary>
public enum WavSampleFormat
{
    /// <summary>16-bit integer PCM, clipped to [-1, 1].</summary>
    Pcm16,
    /// <summary>32-bit IEEE float, not clipped.</summary>
    Float32,
}
