using System.Numerics.Tensors;

namespace WaveFlow.Audio.Dsp.Prosody;

/// <summary>One signal's pitch track: per frame the F0 in Hz (0 where unvoiced), the voicing
/// decision, the periodicity (normalised autocorrelation at the chosen period, 0..1) and the
/// frame energy. Frame j is centred on sample j·hop.</summary>
internal sealed record PitchTrack(double[] F0, bool[] Voiced, double[] Periodicity, double[] Energy, int SampleRate, int Hop)
{
    public int Frames => F0.Length;
    public double FrameSeconds(int j) => (double)j * Hop / SampleRate;
}
