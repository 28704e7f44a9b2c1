namespace WaveFlow.Audio.Wav;

/// <summary>Mono audio: samples in [-1, 1] (PCM16 as int16/32768) and their sample rate.</summary>
internal sealed record AudioClip(float[] Samples, int SampleRate)
{
    public double DurationSeconds => (double)Samples.Length / SampleRate;
}
