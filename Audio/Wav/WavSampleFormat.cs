namespace WaveFlow.Audio.Wav;

/// <summary>Sample formats <see cref="WavFile.Write"/> can write.</summary>
public enum WavSampleFormat
{
    /// <summary>16-bit integer PCM, clipped to [-1, 1].</summary>
    Pcm16,
    /// <summary>32-bit IEEE float, not clipped.</summary>
    Float32,
}
