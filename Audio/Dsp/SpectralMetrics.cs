using WaveFlow.Core;

namespace WaveFlow.Audio.Dsp;

/// <summary>
/// Objective distances between a reference and an estimate (vocoder output), for eval and
/// compare. Audio pairs are compared over the shorter of the two lengths (vocoders return whole
/// hops), frame by frame without time warping: the signals are assumed aligned. Spectra are the
/// Tacotron2 front end's (<see cref="MelSpectrogram"/>: reflect padding, periodic Hann, |FFT|).
/// </summary>
internal static class SpectralMetrics
{
    /// <summary>Power floor of the log-spectral distance, so silent bins do not give infinities.</summary>
    public const double PowerFloor = 1e-10;

    /// <summary>Mel-cepstral coefficients compared by <see cref="MelCepstralDistortion(FloatArray, FloatArray, int)"/> by default (c₁..c₁₃).</summary>
    public const int DefaultCepstralCoefficients = 13;

    /// <summary>All four metrics at once (one STFT of each signal).</summary>
    public static SpectralScores Compare(ReadOnlySpan<float> reference, ReadOnlySpan<float> estimate, MelOptions options) =>
        Compare(reference, estimate, new MelSpectrogram(options));

    /// <summary>All four metrics with a front end the caller keeps (its filterbank is built once, not per clip).</summary>
    public static SpectralScores Compare(ReadOnlySpan<float> reference, ReadOnlySpan<float> estimate, MelSpectrogram front)
    {
        var (refMag, estMag, frames) = Magnitudes(reference, estimate, front);
        return FromMagnitudes(refMag, estMag, frames, front);
    }

    /// <summary>
    /// All four metrics from STFT magnitudes the caller already has (<see cref="MelSpectrogram.Magnitude"/>
    /// of two signals of equal length, frame-major [frames, nFreq]): a recording scored against
    /// several systems needs its STFT once.
    /// </summary>
    public static SpectralScores FromMagnitudes(float[] reference, float[] estimate, int frames, MelSpectrogram front)
    {
        int nFreq = front.Options.NFreq;
        if (reference.Length != (long)frames * nFreq || estimate.Length != reference.Length)
            throw new ArgumentException($"magnitudes must both be [{frames}, {nFreq}], got {reference.Length} and {estimate.Length} values");
        var (refMel, estMel) = (front.LogMel(reference, frames), front.LogMel(estimate, frames));
        return new SpectralScores(LogMelL1(refMel, estMel), Convergence(reference, estimate), Lsd(reference, estimate, frames, nFreq),
                                  MelCepstralDistortion(refMel, estMel));
    }

    /// <summary>Mean absolute difference of two log mels [n_mel, T] (natural log), over the common frames.</summary>
    public static double LogMelL1(FloatArray reference, FloatArray estimate)
    {
        var (nMel, frames) = CommonShape(reference, estimate);
        double sum = 0;
        for (int m = 0; m < nMel; m++)
            for (int t = 0; t < frames; t++)
                sum += Math.Abs(reference.Data[m * reference.Shape[1] + t] - estimate.Data[m * estimate.Shape[1] + t]);
        return sum / ((double)nMel * frames);
    }

    /// <summary>Log-mel L1 of two signals' Tacotron2 mels.</summary>
    public static double LogMelL1(ReadOnlySpan<float> reference, ReadOnlySpan<float> estimate, MelOptions options)
    {
        int n = Math.Min(reference.Length, estimate.Length);
        var front = new MelSpectrogram(options);
        return LogMelL1(front.Compute(reference[..n]), front.Compute(estimate[..n]));
    }

    /// <summary>Spectral convergence ‖|S| − |Ŝ|‖_F / ‖|S|‖_F of the linear STFT magnitudes (0 is perfect).</summary>
    public static double SpectralConvergence(ReadOnlySpan<float> reference, ReadOnlySpan<float> estimate, MelOptions options)
    {
        var (refMag, estMag, _) = Magnitudes(reference, estimate, options);
        return Convergence(refMag, estMag);
    }

    /// <summary>
    /// Log-spectral distance in dB: per frame the RMS over frequency bins of
    /// 10·log10((|S|² + ε) / (|Ŝ|² + ε)), ε = 1e-10, then the mean over frames.
    /// A signal scaled by a has LSD 20·|log10 a| (where ε is negligible).
    /// </summary>
    public static double LogSpectralDistance(ReadOnlySpan<float> reference, ReadOnlySpan<float> estimate, MelOptions options)
    {
        var (refMag, estMag, frames) = Magnitudes(reference, estimate, options);
        return Lsd(refMag, estMag, frames, options.NFreq);
    }

    /// <summary>
    /// Mel-cepstral distortion in dB between two log mels [n_mel, T] (natural log):
    /// per frame MCD = (10/ln 10)·sqrt(2·Σ_{d=1..K} (c_d − ĉ_d)²), averaged over frames, where
    /// c_d = (1/M)·Σ_m ln(mel_m)·cos(π·d·(m + ½)/M) is the DCT-II of the log mel scaled as a
    /// cepstrum (ln mel_m ≈ c₀ + 2·Σ_d c_d·cos(…)), M = n_mel, K = <paramref name="coefficients"/>.
    /// c₀ (overall loudness) is left out, as is usual. No time warping.
    /// </summary>
    public static double MelCepstralDistortion(FloatArray reference, FloatArray estimate, int coefficients = DefaultCepstralCoefficients)
    {
        var (nMel, frames) = CommonShape(reference, estimate);
        if (coefficients < 1 || coefficients >= nMel)
            throw new ArgumentOutOfRangeException(nameof(coefficients), coefficients, $"must be in 1..{nMel - 1}");
        // cos table [K, M]
        var basis = new double[coefficients * nMel];
        for (int d = 1; d <= coefficients; d++)
            for (int m = 0; m < nMel; m++)
                basis[(d - 1) * nMel + m] = Math.Cos(Math.PI * d * (m + 0.5) / nMel) / nMel;
        double total = 0;
        var diff = new double[nMel];
        for (int t = 0; t < frames; t++)
        {
            for (int m = 0; m < nMel; m++)
                diff[m] = reference.Data[m * reference.Shape[1] + t] - estimate.Data[m * estimate.Shape[1] + t];
            double squares = 0;
            for (int d = 0; d < coefficients; d++)
            {
                double c = 0;
                for (int m = 0; m < nMel; m++) c += basis[d * nMel + m] * diff[m];
                squares += c * c;
            }
            total += 10 / Math.Log(10) * Math.Sqrt(2 * squares);
        }
        return total / frames;
    }

    /// <summary>MCD of two signals' Tacotron2 log mels.</summary>
    public static double MelCepstralDistortion(ReadOnlySpan<float> reference, ReadOnlySpan<float> estimate, MelOptions options,
                                               int coefficients = DefaultCepstralCoefficients)
    {
        int n = Math.Min(reference.Length, estimate.Length);
        var front = new MelSpectrogram(options);
        return MelCepstralDistortion(front.Compute(reference[..n]), front.Compute(estimate[..n]), coefficients);
    }

    private static (float[] Ref, float[] Est, int Frames) Magnitudes(ReadOnlySpan<float> reference, ReadOnlySpan<float> estimate, MelOptions options) =>
        Magnitudes(reference, estimate, new MelSpectrogram(options));

    private static (float[] Ref, float[] Est, int Frames) Magnitudes(ReadOnlySpan<float> reference, ReadOnlySpan<float> estimate, MelSpectrogram front)
    {
        int n = Math.Min(reference.Length, estimate.Length);
        var a = front.Magnitude(reference[..n], out int frames);
        var b = front.Magnitude(estimate[..n], out _);
        return (a, b, frames);
    }

    private static double Convergence(float[] reference, float[] estimate)
    {
        double num = 0, den = 0;
        for (int i = 0; i < reference.Length; i++)
        {
            double d = reference[i] - estimate[i];
            num += d * d;
            den += (double)reference[i] * reference[i];
        }
        if (den == 0) return num == 0 ? 0 : double.PositiveInfinity;
        return Math.Sqrt(num / den);
    }

    private static double Lsd(float[] reference, float[] estimate, int frames, int nFreq)
    {
        double total = 0;
        for (int f = 0; f < frames; f++)
        {
            double sum = 0;
            for (int k = 0; k < nFreq; k++)
            {
                double a = reference[f * nFreq + k], b = estimate[f * nFreq + k];
                double d = 10 * Math.Log10((a * a + PowerFloor) / (b * b + PowerFloor));
                sum += d * d;
            }
            total += Math.Sqrt(sum / nFreq);
        }
        return total / frames;
    }

    private static (int NMel, int Frames) CommonShape(FloatArray a, FloatArray b)
    {
        if (a.Shape.Length != 2 || b.Shape.Length != 2 || a.Shape[0] != b.Shape[0])
            throw new ArgumentException($"mels must both be [n_mel, T] with the same n_mel, got [{string.Join(", ", a.Shape)}] and [{string.Join(", ", b.Shape)}]");
        int frames = (int)Math.Min(a.Shape[1], b.Shape[1]);
        if (frames == 0) throw new ArgumentException("mels have no frames");
        return ((int)a.Shape[0], frames);
    }
}
