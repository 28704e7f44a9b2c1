using System.Numerics;

namespace WaveFlow.Vocoder;

/// <summary>
/// The harmonic source's carriers at synthesis: per sample n and harmonic k,
/// g(n)·cos(k·φ(n)), where φ integrates F0 from the first sample of the utterance,
/// φ(n) = 2π/sr·Σ_{i&lt;n} f0(i), F0 and the voicing gate g interpolated linearly between frame
/// centres (frame j sits on sample j·hop, as the mel's), and a harmonic whose frequency k·f0(n)
/// reaches the ceiling is silent (no aliasing, nothing above the mel's band). The phase is
/// integrated in double precision over the whole utterance, so chunked and streamed synthesis,
/// which slice these carriers, run on across chunk borders exactly.
/// </summary>
internal static class HarmonicCarriers
{
    /// <summary>
    /// f0 (Hz, every frame &gt; 0) and gate (0..1) per frame → row-major (harmonics, samples).
    /// </summary>
    public static float[] Synthesis(ReadOnlySpan<float> f0, ReadOnlySpan<float> gate, long samples, int hop, int sampleRate, int harmonics, double ceilingHz)
    {
        int frames = f0.Length;
        var carriers = new float[harmonics * samples];
        double phase = 0, step = 2 * Math.PI / sampleRate;
        for (long n = 0; n < samples; n++)
        {
            long j = Math.Min(n / hop, frames - 1);
            long j1 = Math.Min(j + 1, frames - 1);
            double a = n >= (long)(frames - 1) * hop ? 0 : (double)(n - j * hop) / hop;
            double f = f0[(int)j] + (f0[(int)j1] - f0[(int)j]) * a;
            double g = gate[(int)j] + (gate[(int)j1] - gate[(int)j]) * a;
            if (g > 0)
            {
                // e^{ikφ} by repeated multiplication: one cos/sin per sample instead of one per harmonic.
                var unit = new Complex(Math.Cos(phase), Math.Sin(phase));
                var power = unit;
                int audible = Math.Min(harmonics, (int)Math.Ceiling(ceilingHz / Math.Max(f, 1e-9)) - 1);
                for (int k = 0; k < audible; k++)
                {
                    carriers[k * samples + n] = (float)(g * power.Real);
                    power *= unit;
                }
            }
            phase += step * f;
            if (phase >= 2 * Math.PI) phase -= 2 * Math.PI * Math.Floor(phase / (2 * Math.PI));
        }
        return carriers;
    }

    /// <summary>
    /// F0 with its unvoiced frames (≤ 0) filled in: linearly between the voiced frames around
    /// them, held at the ends, <paramref name="fallback"/> where nothing is voiced. The carriers
    /// need a frequency everywhere; the gate silences them where the speech is unvoiced.
    /// </summary>
    public static float[] Continuous(ReadOnlySpan<float> f0, float fallback)
    {
        var filled = f0.ToArray();
        int previous = -1;
        for (int j = 0; j <= filled.Length; j++)
        {
            if (j < filled.Length && !(filled[j] > 0)) continue;
            // frames previous+1 .. j−1 are unvoiced
            for (int u = previous + 1; u < j; u++)
            {
                filled[u] = previous < 0 && j == filled.Length ? fallback
                    : previous < 0 ? filled[j]
                    : j == filled.Length ? filled[previous]
                    : filled[previous] + (filled[j] - filled[previous]) * (u - previous) / (float)(j - previous);
            }
            previous = j;
        }
        return filled;
    }
}
