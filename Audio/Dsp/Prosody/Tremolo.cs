namespace WaveFlow.Audio.Dsp.Prosody;

/// <summary>
/// Settings of <see cref="Tremolo"/>. The energy envelope is taken in Hann frames of
/// <see cref="Window"/> samples every <see cref="Hop"/> (23 ms every 5.8 ms at 22,050 Hz: short
/// enough to follow a 12 Hz wobble; at 12 Hz the window passes 82 % of it, which is undone).
/// A tremolo's rate lies between <see cref="LowHz"/> and <see cref="HighHz"/> (slower is prosody,
/// faster is roughness). Frames more than <see cref="FloorDb"/> below a signal's own loudest frame
/// are pauses. The output is aligned to the recording within ±<see cref="MaxLagMs"/>, in steps of
/// <see cref="LagStep"/> samples (0.7 ms). The periodic part is the envelope difference's power
/// within ±<see cref="PeakHalfWidthHz"/> of its strongest frequency in the band, less the
/// broadband level there, estimated from the median power of the other frequencies between
/// <see cref="BackgroundLowHz"/> and <see cref="BackgroundHighHz"/>.
/// </summary>
internal sealed record TremoloSettings(
    int Window = 1024, int Hop = 128, double LowHz = 3, double HighHz = 12, double FloorDb = 30,
    double MaxLagMs = 30, int LagStep = 16, double PeakHalfWidthHz = 1.5, double BackgroundLowHz = 1, double BackgroundHighHz = 25);

/// <summary>
/// A tremolo reading. <see cref="Index"/>: the depth of the periodic modulation (0..1).
/// <see cref="LagMs"/>: how late the output's envelope is against the recording's (the alignment
/// found). <see cref="PeakHz"/>: the modulation's frequency. <see cref="BroadbandIndex"/>: the depth
/// the whole 3–12 Hz band of the envelope difference amounts to, periodic or not (diagnostic:
/// noise, splices and timing errors raise it; only a periodic wobble raises the index).
/// </summary>
internal sealed record TremoloReading(double Index, double LagMs, double PeakHz, double BroadbandIndex)
{
    public static readonly TremoloReading None = new(0, 0, 0, 0);
}

/// <summary>
/// The tremolo index: the depth of periodic amplitude modulation at 3–12 Hz that the output has
/// beyond the recording. Each signal's log amplitude envelope (½·ln of the frame energy) is cut at
/// its own floor, so a level change moves both the signal and its floor and reads 0; the output's
/// envelope is aligned to the recording's (a delay would otherwise leave the syllable rhythm in the
/// difference); the difference of the two envelopes over the frames active in both is the
/// modulation the output adds. A modulation a(t) = 1 − D·(1 − cos 2πft)/2 (gain between 1 and
/// 1 − D, which is what sox's <c>tremolo f D</c> does) puts a near-sinusoid of peak-to-peak
/// −ln(1 − D) into the log envelope, so the depth read back from its RMS is D = 1 − exp(−2√2·rms).
/// Only the periodic part counts: the difference's power spectrum must have a peak in the band
/// standing above the broadband level around it (noise, splices and misalignment spread their
/// power over all frequencies). The recording against itself reads exactly 0.
/// </summary>
internal static class Tremolo
{
    /// <summary>The depth of periodic modulation of one signal's own envelope (a steady tone: 0).</summary>
    public static double Depth(ReadOnlySpan<float> audio, int sampleRate, TremoloSettings? settings = null)
    {
        var s = settings ?? new TremoloSettings();
        var e = LogEnvelope(Energies(audio, s, 0), s, out var active);
        return Periodic(e, active, sampleRate, s).Index;
    }

    /// <summary>The depth of modulation <paramref name="output"/> has beyond <paramref name="reference"/>'s (0 for identical signals).</summary>
    public static double Index(ReadOnlySpan<float> reference, ReadOnlySpan<float> output, int sampleRate, TremoloSettings? settings = null) =>
        Measure(reference, output, sampleRate, settings).Index;

    /// <summary>The index with the alignment found, the modulation's frequency and the broadband depth.</summary>
    public static TremoloReading Measure(ReadOnlySpan<float> reference, ReadOnlySpan<float> output, int sampleRate, TremoloSettings? settings = null)
    {
        var s = settings ?? new TremoloSettings();
        int n = Math.Min(reference.Length, output.Length);
        var r = LogEnvelope(Energies(reference[..n], s, 0), s, out var rActive);
        if (r.Length < 4) return TremoloReading.None;

        // The output's envelope at every sub-hop offset, so the lag is found to LagStep samples.
        int offsets = Math.Max(1, s.Hop / s.LagStep);
        var o = new double[offsets][];
        var oActive = new bool[offsets][];
        for (int k = 0; k < offsets; k++) o[k] = LogEnvelope(Energies(output[..n], s, k * s.LagStep), s, out oActive[k]);

        int maxLag = (int)Math.Round(s.MaxLagMs / 1000 * sampleRate);
        int bestLag = 0;
        double best = double.PositiveInfinity;
        for (int lag = -maxLag / s.LagStep * s.LagStep; lag <= maxLag; lag += s.LagStep)
        {
            var (frames, offset) = Split(lag, s);
            double msd = MeanSquareDifference(r, rActive, o[offset / s.LagStep], oActive[offset / s.LagStep], frames);
            // ties go to the smaller delay, so identical signals align at 0
            if (msd < best - 1e-12 || (Math.Abs(msd - best) <= 1e-12 && Math.Abs(lag) < Math.Abs(bestLag))) { best = msd; bestLag = lag; }
        }

        var (f, off) = Split(bestLag, s);
        var oe = o[off / s.LagStep];
        var oa = oActive[off / s.LagStep];
        var diff = new double[r.Length];
        var active = new bool[r.Length];
        for (int j = 0; j < r.Length; j++)
        {
            int q = j + f;
            if (q < 0 || q >= oe.Length || !rActive[j] || !oa[q]) continue;
            diff[j] = oe[q] - r[j];
            active[j] = true;
        }
        var p = Periodic(diff, active, sampleRate, s, r);
        return new TremoloReading(p.Index, 1000.0 * bestLag / sampleRate, p.PeakHz, p.Broadband);
    }

    /// <summary>A lag in samples as whole frames plus a non-negative sub-hop offset: lag = frames·hop + offset.</summary>
    static (int Frames, int Offset) Split(int lag, TremoloSettings s)
    {
        int frames = (int)Math.Floor((double)lag / s.Hop);
        return (frames, lag - frames * s.Hop);
    }

    /// <summary>Mean-square of the mean-removed difference over frames active in both, the output shifted by <paramref name="frames"/>.</summary>
    static double MeanSquareDifference(double[] r, bool[] ra, double[] o, bool[] oa, int frames)
    {
        double sum = 0, sum2 = 0;
        int count = 0;
        for (int j = 0; j < r.Length; j++)
        {
            int q = j + frames;
            if (q < 0 || q >= o.Length || !ra[j] || !oa[q]) continue;
            double d = o[q] - r[j];
            sum += d; sum2 += d * d; count++;
        }
        // too little overlap is no alignment
        if (count < r.Length / 4 || count == 0) return double.PositiveInfinity;
        double mean = sum / count;
        return sum2 / count - mean * mean;
    }

    /// <summary>Frame energies (Hann-weighted mean of x²), one per hop, the first frame starting at <paramref name="offset"/>.</summary>
    static double[] Energies(ReadOnlySpan<float> audio, TremoloSettings s, int offset)
    {
        int frames = Math.Max(0, (audio.Length - offset - s.Window) / s.Hop + 1);
        var window = HannWindow.Periodic(s.Window, s.Window);
        double wsum = window.Sum();
        var e = new double[frames];
        for (int j = 0; j < frames; j++)
        {
            double acc = 0;
            var frame = audio.Slice(offset + j * s.Hop, s.Window);
            for (int i = 0; i < s.Window; i++) acc += window[i] * frame[i] * frame[i];
            e[j] = acc / wsum;
        }
        return e;
    }

    /// <summary>½·ln(max(energy, floor)) per frame, the floor <see cref="TremoloSettings.FloorDb"/> below
    /// this signal's own loudest frame; <paramref name="active"/> marks frames above it.</summary>
    static double[] LogEnvelope(double[] e, TremoloSettings s, out bool[] active)
    {
        double f = Math.Max((e.Length == 0 ? 0 : e.Max()) * Math.Pow(10, -s.FloorDb / 10), 1e-20);
        active = e.Select(v => v > f).ToArray();
        return e.Select(v => 0.5 * Math.Log(Math.Max(v, f))).ToArray();
    }

    /// <summary>
    /// How much of a modulation at f survives averaging x² under a Hann window of length T, with
    /// u = f·T: the window's normalised transform sinc(u)/(1 − u²) (1 at u = 0, 0.82 at u = 0.55:
    /// 12 Hz under 1024 samples at 22,050 Hz).
    /// </summary>
    static double HannResponse(double u)
    {
        if (u < 1e-9) return 1;
        if (Math.Abs(u - 1) < 1e-9) return 0.5;
        return Math.Sin(Math.PI * u) / (Math.PI * u) / (1 - u * u);
    }

    static double DepthOf(double meanSquare) => 1 - Math.Exp(-2 * Math.Sqrt(2) * Math.Sqrt(Math.Max(0, meanSquare)));

    /// <summary>
    /// The periodic modulation in <paramref name="series"/> (frames at sampleRate/hop Hz) over its
    /// active frames, which may have gaps (pauses). At each frequency a sinusoid is fitted by least
    /// squares over the active frames (a Lomb–Scargle periodogram: the gaps need no filling and
    /// spread no power), together with a constant and, when the recording's envelope
    /// <paramref name="reference"/> is given, a cubic in the recording's level: added noise or a
    /// compressed dynamic range change the envelope most where the recording is quiet, so they
    /// follow the syllables, while a tremolo has nothing to do with them (fitting both at once
    /// keeps the cubic from taking a share of a real tremolo). The strongest sinusoid in the band,
    /// refined to a twentieth of the frequency resolution, is the candidate tremolo, and its power
    /// less the median power of the frequencies away from it (the broadband level any line picks
    /// up) is the periodic part. Each frequency's power is divided by the analysis window's
    /// response there.
    /// </summary>
    static (double Index, double PeakHz, double Broadband) Periodic(double[] series, bool[] active, int sampleRate, TremoloSettings s, double[]? reference = null)
    {
        var idx = Enumerable.Range(0, series.Length).Where(j => active[j]).ToArray();
        if (idx.Length < 16) return (0, 0, 0);
        double rate = (double)sampleRate / s.Hop;
        var t = idx.Select(j => j / rate).ToArray();
        var y = idx.Select(j => series[j]).ToArray();
        double span = (idx[^1] - idx[0] + 1) / rate;
        double[][] level = reference is null ? [] : [.. Powers(idx.Select(j => reference[j]).ToArray(), 3), .. Slopes(reference, idx)];
        double Power(double hz, double[][] extra)
        {
            var (a, b) = SineFit(t, y, hz, extra);
            double h = HannResponse(hz * s.Window / sampleRate);
            return (a * a + b * b) / 2 / (h * h);
        }

        // broadband (diagnostic): the band's power at the independent frequencies k / span
        double broadband = 0;
        for (double hz = Math.Ceiling(s.LowHz * span) / span; hz <= s.HighHz; hz += 1 / span) broadband += Power(hz, []);

        var grid = new List<(double Hz, double Power)>();
        for (double hz = Math.Ceiling(s.BackgroundLowHz * 2 * span) / (2 * span); hz <= s.BackgroundHighHz && hz < rate / 2; hz += 0.5 / span)
            grid.Add((hz, Power(hz, level)));
        var inBand = grid.Where(g => g.Hz >= s.LowHz && g.Hz <= s.HighHz).ToList();
        if (inBand.Count == 0) return (0, 0, DepthOf(broadband));
        var peak = inBand.MaxBy(g => g.Power);
        for (double hz = peak.Hz - 0.5 / span; hz <= peak.Hz + 0.5 / span; hz += 0.05 / span)
        {
            double p = Power(hz, level);
            if (p > peak.Power) peak = (hz, p);
        }
        var others = grid.Where(g => Math.Abs(g.Hz - peak.Hz) > s.PeakHalfWidthHz).Select(g => g.Power).Order().ToList();
        double background = others.Count == 0 ? 0 : others[others.Count / 2];
        return (DepthOf(peak.Power - background), peak.Hz, DepthOf(broadband));
    }

    /// <summary>The first and second differences of <paramref name="r"/> at the frames <paramref name="idx"/>
    /// (central, centred and scaled): an envelope smeared or shifted in time differs from the
    /// recording's by about its slope and curvature.</summary>
    static double[][] Slopes(double[] r, int[] idx)
    {
        double At(int j) => r[Math.Clamp(j, 0, r.Length - 1)];
        var d1 = idx.Select(j => (At(j + 1) - At(j - 1)) / 2).ToArray();
        var d2 = idx.Select(j => At(j + 1) - 2 * At(j) + At(j - 1)).ToArray();
        return [.. Powers(d1, 1), .. Powers(d2, 1)];
    }

    /// <summary>z, z², …, z^degree of the centred and scaled values (columns of a regression).</summary>
    static double[][] Powers(double[] r, int degree)
    {
        double mean = r.Average(), sd = Math.Sqrt(r.Average(v => (v - mean) * (v - mean)));
        if (sd < 1e-9) return [];
        var z = r.Select(v => (v - mean) / sd).ToArray();
        var cols = new double[degree][];
        for (int p = 0; p < degree; p++) cols[p] = z.Select(v => Math.Pow(v, p + 1)).ToArray();
        return cols;
    }

    /// <summary>Least squares of a·cos(2πft) + b·sin(2πft) + c + Σ d_k·extra_k through (t, v); returns (a, b).</summary>
    static (double A, double B) SineFit(double[] t, double[] v, double hz, double[][] extra)
    {
        int k = 3 + extra.Length;
        var m = new double[k, k];
        var rhs = new double[k];
        var row = new double[k];
        double w = 2 * Math.PI * hz;
        for (int i = 0; i < t.Length; i++)
        {
            row[0] = Math.Cos(w * t[i]); row[1] = Math.Sin(w * t[i]); row[2] = 1;
            for (int e = 0; e < extra.Length; e++) row[3 + e] = extra[e][i];
            for (int p = 0; p < k; p++)
            {
                rhs[p] += row[p] * v[i];
                for (int q = p; q < k; q++) m[p, q] += row[p] * row[q];
            }
        }
        for (int p = 0; p < k; p++) for (int q = 0; q < p; q++) m[p, q] = m[q, p];
        var x = Solve(m, rhs);
        return (x[0], x[1]);
    }

    /// <summary>Gaussian elimination with partial pivoting; a singular direction gets 0.</summary>
    static double[] Solve(double[,] a, double[] b)
    {
        int n = b.Length;
        var m = (double[,])a.Clone();
        var x = (double[])b.Clone();
        for (int col = 0; col < n; col++)
        {
            int pivot = col;
            for (int r = col + 1; r < n; r++) if (Math.Abs(m[r, col]) > Math.Abs(m[pivot, col])) pivot = r;
            if (Math.Abs(m[pivot, col]) < 1e-12) { for (int r = 0; r < n; r++) m[r, col] = 0; m[col, col] = 1; x[col] = 0; continue; }
            if (pivot != col)
            {
                for (int c = 0; c < n; c++) (m[col, c], m[pivot, c]) = (m[pivot, c], m[col, c]);
                (x[col], x[pivot]) = (x[pivot], x[col]);
            }
            for (int r = 0; r < n; r++)
            {
                if (r == col) continue;
                double f = m[r, col] / m[col, col];
                if (f == 0) continue;
                for (int c = col; c < n; c++) m[r, c] -= f * m[col, c];
                x[r] -= f * x[col];
            }
        }
        for (int i = 0; i < n; i++) x[i] /= m[i, i];
        return x;
    }
}
