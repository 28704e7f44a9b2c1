using System.Numerics.Tensors;

namespace WaveFlow.Audio.Dsp.Prosody;

/// <summary>
/// Settings of <see cref="PitchTracker"/>. Defaults suit speech at 22,050 Hz: F0 between 60 and
/// 500 Hz; frames every 256 samples (the mel hop, so pitch frame j sits on mel frame j);
/// a 1024-sample integration window (46 ms: two periods of the lowest F0 with room to spare);
/// YIN's absolute threshold 0.15 picks the first dip of the normalised difference below it (the
/// shortest period, so no octave-down errors); a frame is voiced when its dip is below
/// <see cref="VoicingThreshold"/> and its energy is within <see cref="SilenceDb"/> of the
/// loudest frame.
/// </summary>
internal sealed record PitchSettings(
    double MinF0 = 60, double MaxF0 = 500, int Hop = 256, int Window = 1024,
    double Threshold = 0.15, double VoicingThreshold = 0.25, double SilenceDb = 40)
{
    public int MinLag(int rate) => Math.Max(2, (int)Math.Floor(rate / MaxF0));
    public int MaxLag(int rate) => (int)Math.Ceiling(rate / MinF0);
}
