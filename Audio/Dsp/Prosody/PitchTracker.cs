using System.Numerics.Tensors;

namespace WaveFlow.Audio.Dsp.Prosody;

/// <summary>
/// Settings of <see cref="PitchTracker"/>. Defaults suit speech at 22,050 Hz: F0 between 60 and
/// 500 Hz; frames every 256 samples (the mel hop, so pitch frame j sits on mel frame j);
/// a 1024-sample integration window (46 ms: two periods of the lowest F0 with room to spare);
/// YIN's absolute threshold 0.15 picks the first dip of the normalised difference below it (the
/// shortest period, so no octave-down errors). A frame is voiced when its dip is below
/// <see cref="VoicingThreshold"/>, or below <see cref="ExtendThreshold"/> next to a voiced frame
/// (hysteresis: the weaker periodicity at the onsets and ends of voiced stretches), optionally
/// smoothed by a majority over <see cref="MedianFrames"/> frames, and its energy is within
/// <see cref="SilenceDb"/> of the loudest frame. The voicing settings were chosen against Praat's
/// To Pitch (ac) on the sample and test-corpus recordings and sox edits of them
/// (Tests/Fixtures/praat, docs/compare.md).
/// </summary>
internal sealed record PitchSettings(
    double MinF0 = 60, double MaxF0 = 500, int Hop = 256, int Window = 1024,
    double Threshold = 0.15, double VoicingThreshold = 0.35, double SilenceDb = 25,
    double ExtendThreshold = 0.55, int MedianFrames = 1, int JumpFrames = 5)
{
    public int MinLag(int rate) => Math.Max(2, (int)Math.Floor(rate / MaxF0));
    public int MaxLag(int rate) => (int)Math.Ceiling(rate / MinF0);
}

/// <summary>One signal's pitch track: per frame the F0 in Hz (0 where unvoiced), the voicing
/// decision, the periodicity (normalised autocorrelation at the chosen period, 0..1) and the
/// frame energy. Frame j is centred on sample j·hop.</summary>
internal sealed record PitchTrack(double[] F0, bool[] Voiced, double[] Periodicity, double[] Energy, int SampleRate, int Hop)
{
    public int Frames => F0.Length;
    public double FrameSeconds(int j) => (double)j * Hop / SampleRate;
}

/// <summary>
/// A YIN pitch tracker (de Cheveigné and Kawahara, 2002): per frame the difference function
/// d(τ) = Σ_j (x_j − x_{j+τ})² over the window, normalised by its cumulative mean
/// (d'(τ) = d(τ)·τ / Σ_{k≤τ} d(k)), the first τ where d' dips below the threshold (else the global
/// minimum), refined by a parabola through the three points around the dip. NWaves' Pitch.FromYin
/// returns only a frequency per frame (no dip value), so it cannot say whether a frame is voiced
/// or how periodic it is; this tracker returns both.
/// </summary>
internal static class PitchTracker
{
    public static PitchTrack Track(ReadOnlySpan<float> audio, int sampleRate, PitchSettings? settings = null)
    {
        var s = settings ?? new PitchSettings();
        int minLag = s.MinLag(sampleRate), maxLag = s.MaxLag(sampleRate), w = s.Window;
        if (maxLag + 2 > w) throw new ArgumentException($"window {w} is shorter than the longest period ({maxLag} samples) plus 2");
        int frames = audio.Length / s.Hop + 1;
        // Zero-padded copy. For lag τ, frame j compares x[c − W/2 − τ/2, + W) with the same span
        // τ later, c = j·hop: the compared stretch is centred on c for every τ (a fixed start would
        // centre it τ/2 − maxLag/2 early, a bias of up to 4 ms that a glide turns into cents).
        int pad = w / 2 + maxLag / 2 + 2;
        var x = new float[pad + audio.Length + pad + w / 2];
        audio.CopyTo(x.AsSpan(pad));

        // prefix sums of x² for the energy terms of d(τ)
        var sq = new double[x.Length + 1];
        for (int i = 0; i < x.Length; i++) sq[i + 1] = sq[i] + (double)x[i] * x[i];
        double Energy(int from) => sq[from + w] - sq[from];
        double Cross(int from, int tau) => TensorPrimitives.Dot(x.AsSpan(from, w), x.AsSpan(from + tau, w));

        var f0 = new double[frames];
        var voiced = new bool[frames];
        var periodicity = new double[frames];
        var energy = new double[frames];
        var dips = new double[frames];
        var diffs = new double[frames][];
        for (int j = 0; j < frames; j++)
        {
            var d = diffs[j] = new double[maxLag + 2];
            int centre = pad + j * s.Hop, first = centre - w / 2;
            energy[j] = Energy(first) / w;
            // d(τ) = E(a) + E(a + τ) − 2·r(τ), a = c − W/2 − τ/2: E from the prefix sums, r by a SIMD dot product
            d[0] = 0;
            for (int tau = 1; tau <= maxLag + 1; tau++)
            {
                int a = first - tau / 2;
                d[tau] = Math.Max(0, Energy(a) + Energy(a + tau) - 2 * Cross(a, tau));
            }
            var (lag, dip) = PickLag(d, minLag, maxLag, s.Threshold);
            periodicity[j] = Periodicity(j, lag);
            dips[j] = dip;
            voiced[j] = dip < s.VoicingThreshold;
            f0[j] = sampleRate / Refine(d, lag);
        }

        // normalised autocorrelation at the period, over the window centred on the frame
        double Periodicity(int j, int lag)
        {
            int at = pad + j * s.Hop - w / 2 - lag / 2;
            double e0 = Energy(at), eLag = Energy(at + lag);
            return e0 > 0 && eLag > 0 ? Math.Clamp(Cross(at, lag) / Math.Sqrt(e0 * eLag), 0, 1) : 0;
        }

        Extend(voiced, dips, s.ExtendThreshold);
        if (s.MedianFrames > 1) voiced = Median(voiced, s.MedianFrames);

        // the silence gate, relative to the loudest frame of this signal
        double loudest = energy.Length == 0 ? 0 : energy.Max();
        double floor = loudest * Math.Pow(10, -s.SilenceDb / 10);
        for (int j = 0; j < frames; j++)
        {
            if (loudest <= 0 || energy[j] < floor) voiced[j] = false;
            if (!voiced[j]) f0[j] = 0;
        }
        FixOctaveJumps(f0, voiced, diffs, periodicity, sampleRate, minLag, maxLag, s, Periodicity);
        return new PitchTrack(f0, voiced, periodicity, energy, sampleRate, s.Hop);
    }

    /// <summary>
    /// A voiced frame whose F0 is more than <see cref="F0Errors.GrossRatio"/> off the median of the
    /// voiced frames within <see cref="PitchSettings.JumpFrames"/> on either side (at least 3 of them)
    /// is an octave (or fifth) jump of YIN's first-dip rule, which Praat's path search avoids: its
    /// period is picked again as the deepest dip within 20 % of the neighbours' period, if that dip
    /// is below <see cref="PitchSettings.ExtendThreshold"/>; else the frame is unvoiced.
    /// </summary>
    static void FixOctaveJumps(double[] f0, bool[] voiced, double[][] diffs, double[] periodicity, int rate, int minLag, int maxLag,
        PitchSettings s, Func<int, int, double> periodicityAt)
    {
        var original = (double[])f0.Clone();
        var near = new List<double>();
        for (int j = 0; j < f0.Length; j++)
        {
            if (!voiced[j]) continue;
            near.Clear();
            for (int k = Math.Max(0, j - s.JumpFrames); k <= Math.Min(f0.Length - 1, j + s.JumpFrames); k++)
                if (k != j && voiced[k]) near.Add(original[k]);
            if (near.Count < 3) continue;
            near.Sort();
            double median = near[near.Count / 2];
            if (Math.Abs(original[j] / median - 1) <= F0Errors.GrossRatio) continue;
            var dn = Normalised(diffs[j]);
            int lo = Math.Max(minLag, (int)Math.Floor(rate / (median * (1 + F0Errors.GrossRatio))));
            int hi = Math.Min(maxLag, (int)Math.Ceiling(rate / (median / (1 + F0Errors.GrossRatio))));
            int best = -1;
            for (int tau = lo; tau <= hi; tau++) if (best < 0 || dn[tau] < dn[best]) best = tau;
            if (best < 0 || dn[best] >= s.ExtendThreshold)
            {
                // no period near the neighbours': a lone jump is no pitch
                voiced[j] = false;
                f0[j] = 0;
                continue;
            }
            f0[j] = rate / Refine(diffs[j], best);
            periodicity[j] = periodicityAt(j, best);
        }
    }

    /// <summary>YIN's cumulative-mean-normalised difference d'(τ) = d(τ)·τ / Σ_{k≤τ} d(k) (d'(0) = 1).</summary>
    static double[] Normalised(double[] d)
    {
        var dn = new double[d.Length];
        dn[0] = 1;
        double running = 0;
        for (int tau = 1; tau < d.Length; tau++)
        {
            running += d[tau];
            dn[tau] = running > 0 ? d[tau] * tau / running : 1;
        }
        return dn;
    }

    /// <summary>Hysteresis: a voiced stretch grows into neighbouring frames whose dip is below <paramref name="threshold"/>.</summary>
    static void Extend(bool[] voiced, double[] dips, double threshold)
    {
        for (int j = 1; j < voiced.Length; j++)
            if (!voiced[j] && voiced[j - 1] && dips[j] < threshold) voiced[j] = true;
        for (int j = voiced.Length - 2; j >= 0; j--)
            if (!voiced[j] && voiced[j + 1] && dips[j] < threshold) voiced[j] = true;
    }

    /// <summary>The majority of each run of <paramref name="width"/> frames centred on the frame (a median filter of booleans).</summary>
    static bool[] Median(bool[] v, int width)
    {
        var m = new bool[v.Length];
        int h = width / 2;
        for (int j = 0; j < v.Length; j++)
        {
            int on = 0, n = 0;
            for (int k = Math.Max(0, j - h); k <= Math.Min(v.Length - 1, j + h); k++) { n++; if (v[k]) on++; }
            m[j] = 2 * on > n;
        }
        return m;
    }

    /// <summary>The first lag in [minLag, maxLag] where the cumulative-mean-normalised difference
    /// falls below <paramref name="threshold"/>, walked down to the bottom of that dip; else the
    /// lag of the smallest value. Returns the lag and its normalised value.</summary>
    static (int Lag, double Dip) PickLag(double[] d, int minLag, int maxLag, double threshold)
    {
        var dn = Normalised(d);
        int best = minLag;
        for (int tau = minLag; tau <= maxLag; tau++)
        {
            if (dn[tau] < threshold)
            {
                while (tau + 1 <= maxLag && dn[tau + 1] < dn[tau]) tau++;
                return (tau, dn[tau]);
            }
            if (dn[tau] < dn[best]) best = tau;
        }
        return (best, dn[best]);
    }

    /// <summary>The vertex of the parabola through d(τ−1), d(τ), d(τ+1): the period to a fraction of a sample.</summary>
    static double Refine(double[] d, int tau)
    {
        if (tau < 1 || tau + 1 >= d.Length) return tau;
        double a = d[tau - 1], b = d[tau], c = d[tau + 1];
        double den = a - 2 * b + c;
        if (den <= 0) return tau;
        double shift = 0.5 * (a - c) / den;
        return tau + Math.Clamp(shift, -1, 1);
    }
}
