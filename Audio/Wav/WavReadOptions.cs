namespace WaveFlow.Audio.Wav;

/// <summary>
/// How <see cref="WavFile.Read"/> treats files that do not fit: a sample rate other than
/// <paramref name="ExpectedSampleRate"/> is an error unless <paramref name="Resample"/>; more
/// than one channel is an error unless <paramref name="Downmix"/> (the channels are averaged).
/// </summary>
internal sealed record WavReadOptions(int? ExpectedSampleRate = null, bool Downmix = false, bool Resample = false);
