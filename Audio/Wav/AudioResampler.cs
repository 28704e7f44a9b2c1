namespace WaveFlow.Audio.Wav;

/// <summary>
/// Sample-rate conversion for input audio, managed code only: band-limited interpolation with a
/// Kaiser-windowed sinc (the method of Smith's "Digital Audio Resampling", also used by resampy),
/// zero phase, so converted audio stays aligned with the original.
/// <para>
/// Why not NWaves' <c>Resampler</c>: in NWaves 0.9.6 both its integer-ratio path (decimate /
/// interpolate) and its band-limited path leave the anti-aliasing FIR's group delay in the
/// output: a 440 Hz tone converted from 44.1 kHz to 22.05 kHz comes out 25 samples late (half a
/// period: the sign flips), which would misalign audio and mels in training pairs.
/// </para>
/// </summary>
internal static class AudioResampler
{
    /// <summary>Zero crossings of the sinc on each side of the centre: 32 gives > 80 dB stop band with β = 8.6.</summary>
    public const int ZeroCrossings = 32;

    /// <summary>Kaiser β; 8.6 is the classic choice for ~86 dB side lobes.</summary>
    public const double KaiserBeta = 8.6;

    /// <summary>Pass band edge as a fraction of the lower Nyquist frequency; the rest is the transition band.</summary>
    public const double Rolloff = 0.945;

    /// <summary>
    /// The sample rates this resampler converts from and to: 4 kHz (below telephone audio) to
    /// 768 kHz (the highest rate audio converters offer). Outside it, a header field is almost
    /// surely damaged, and honouring it would cost unbounded time and memory (1 Hz → 22.05 kHz
    /// multiplies the length by 22,050).
    /// </summary>
    public const int MinRate = 4_000, MaxRate = 768_000;

    /// <summary>
    /// Largest kernel table (phases × taps floats, 4 MB). Rates with a large reduced ratio
    /// (e.g. 44,101 → 22,050: 22,050 phases) use this many evenly spaced phases instead of one per
    /// ratio step, each output taking the nearest; the timing error is then below half a table
    /// step, under 1/1000 of an input sample for every rate pair in range (below −80 dB at the
    /// pass band edge), where the exact table could take hundreds of megabytes.
    /// </summary>
    public const int MaxKernelTable = 1 << 20;

    public static float[] Resample(float[] samples, int fromRate, int toRate)
    {
        if (fromRate is < MinRate or > MaxRate || toRate is < MinRate or > MaxRate)
            throw new ArgumentOutOfRangeException(nameof(fromRate), $"sample rates must lie in {MinRate}..{MaxRate} Hz (got {fromRate} → {toRate})");
        if (fromRate == toRate) return (float[])samples.Clone();
        if (samples.Length == 0) return [];

        // Output sample i sits at input position i·from/to = i·step/phases (the reduced ratio),
        // so only `phases` distinct fractional offsets exist: each gets a precomputed kernel.
        int g = Gcd(fromRate, toRate);
        int step = fromRate / g, phases = toRate / g;
        // Cutoff relative to the input Nyquist: when downsampling, the output's Nyquist is lower.
        double cutoff = Math.Min(1.0, (double)toRate / fromRate) * Rolloff;
        double halfWidth = ZeroCrossings / cutoff;     // kernel half-width in input samples
        int taps = 2 * (int)Math.Ceiling(halfWidth) + 1;
        int left = taps / 2;                           // kernel index j ↔ input offset j − left
        int tablePhases = Math.Min(phases, Math.Max(1, MaxKernelTable / taps));
        var kernels = new float[(long)tablePhases * taps];
        double i0Beta = BesselI0(KaiserBeta);
        for (int p = 0; p < tablePhases; p++)
        {
            double frac = (double)p / tablePhases;
            for (int j = 0; j < taps; j++)
            {
                double d = frac - (j - left);          // distance from output position to input sample
                if (Math.Abs(d) >= halfWidth) continue;
                double u = d / halfWidth;
                double window = BesselI0(KaiserBeta * Math.Sqrt(1 - u * u)) / i0Beta;
                kernels[p * taps + j] = (float)(cutoff * Sinc(cutoff * d) * window);
            }
        }

        long outLength = ((long)samples.Length * toRate + fromRate - 1) / fromRate;  // ceil
        var output = new float[outLength];
        Parallel.For(0, outLength, i =>
        {
            long position = i * step;
            long baseIndex = position / phases;
            int phase = (int)(position % phases);
            if (tablePhases != phases)
            {
                // The nearest of the table's phases (the last rounds up to the next input sample).
                phase = (int)Math.Round((double)phase * tablePhases / phases);
                if (phase == tablePhases) { phase = 0; baseIndex++; }
            }
            var kernel = kernels.AsSpan(phase * taps, taps);
            double sum = 0;
            long first = baseIndex - left;
            int jStart = (int)Math.Max(0, -first), jEnd = (int)Math.Min(taps, samples.Length - first);
            for (int j = jStart; j < jEnd; j++) sum += kernel[j] * samples[first + j];
            output[i] = (float)sum;
        });
        return output;
    }

    private static double Sinc(double x) => x == 0 ? 1.0 : Math.Sin(Math.PI * x) / (Math.PI * x);

    /// <summary>Modified Bessel function of the first kind, order 0, by its power series.</summary>
    private static double BesselI0(double x)
    {
        double sum = 1, term = 1, q = x * x / 4;
        for (int k = 1; k < 200 && term > 1e-17 * sum; k++)
        {
            term *= q / ((double)k * k);
            sum += term;
        }
        return sum;
    }

    private static int Gcd(int a, int b)
    {
        while (b != 0) (a, b) = (b, a % b);
        return a;
    }
}
