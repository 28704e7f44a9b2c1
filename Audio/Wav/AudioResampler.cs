using NWaves.Operations;
using NWaves.Signals;

namespace WaveFlow.Audio;

/// <summary>
/// Sample-rate conversion for input audio, managed code only: NWaves' band-limited resampler
/// (<see cref="Resampler.Resample"/>: windowed-sinc interpolation with an anti-aliasing lowpass
/// at the lower of the two Nyquist frequencies).
/// </summary>
public static class AudioResampler
{
    /// <summary>Half-width of NWaves' interpolation kernel, in input samples; 15 is its default, 32 is cleaner.</summary>
    public const int KernelOrder = 32;

    public static float[] Resample(float[] samples, int fromRate, int toRate)
    {
        if (fromRate <= 0 || toRate <= 0) throw new ArgumentOutOfRangeException(nameof(fromRate), "sample rates must be positive");
        if (fromRate == toRate) return (float[])samples.Clone();
        if (samples.Length == 0) return [];
        var signal = new DiscreteSignal(fromRate, samples);
        var resampled = new Resampler().Resample(signal, toRate, null, KernelOrder);
        return resampled.Samples;
    }
}
