namespace WaveFlow.Audio.Dsp.Prosody;

/// <summary>
/// Settings of <see cref="Tremolo"/>: the energy envelope is taken in Hann frames of
/// <see cref="Window"/> samples every <see cref="Hop"/> (23 ms every 5.8 ms at 22,050 Hz: short
/// enough to follow a 12 Hz wobble, at 12 Hz the window passes 97 % of it); modulation between
/// <see cref="LowHz"/> and <see cref="HighHz"/> counts as tremolo (slower is prosody, faster is
/// roughness); frames more than <see cref="FloorDb"/> below the recording's loudest frame are
/// pauses and do not count.
/// </summary>
internal sealed record TremoloSettings(int Window = 1024, int Hop = 128, double LowHz = 3, double HighHz = 12, double FloorDb = 30);
