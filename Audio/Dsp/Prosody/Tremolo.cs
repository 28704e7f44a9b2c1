namespace WaveFlow.Audio.Dsp.Prosody;

/// <summary>
/// The tremolo index: the depth of amplitude modulation in the 3–12 Hz band. The log amplitude
/// envelope (½·ln of the frame energy) is band-passed to the band (projection on its DFT bins);
/// a modulation a(t) = 1 − D·(1 − cos 2πft)/2 (gain between 1 and 1 − D, which is what sox's
/// <c>tremolo f D</c> does) puts a near-sinusoid of peak-to-peak −ln(1 − D) into the log envelope,
/// so the depth read back is D = 1 − exp(−2√2·rms), rms the band signal's RMS over the active
/// frames. Relative to a recording, the index is that of the difference of the two log
/// envelopes, so the recording's own rhythm (syllables at 3–8 Hz) cancels and only the
/// modulation the output adds remains; the recording against itself reads exactly 0.
/// </summary>
internal static class Tremolo
{
    /// <summary>The modulation depth (0..1) of one signal's own envelope in the band.</summary>
    public static double Depth(ReadOnlySpan<float> audio, int sampleRate, TremoloSettings? settings = null)
    {
        var s = settings ?? new TremoloSettings();
        var e = LogEnvelope(audio, s, out var active);
        return FromBand(e, active, sampleRate, s);
    }

    /// <summary>The depth of modulation <paramref name="output"/> has beyond <paramref name="reference"/>'s (0 for identical signals).</summary>
    public static double Index(ReadOnlySpan<float> reference, ReadOnlySpan<float> output, int sampleRate, TremoloSettings? settings = null)
    {
        var s = settings ?? new TremoloSettings();
        int n = Math.Min(reference.Length, output.Length);
        var r = LogEnvelope(reference[..n], s, out var active);
        var o = LogEnvelope(output[..n], s, out _, FloorOf(reference[..n], s));
        var diff = new double[r.Length];
        for (int j = 0; j < diff.Length; j++) diff[j] = o[j] - r[j];
        return FromBand(diff, active, sampleRate, s);
    }

    /// <summary>Frame energies (Hann-weighted mean of x²), one per hop.</summary>
    static double[] Energies(ReadOnlySpan<float> audio, TremoloSettings s)
    {
        int frames = Math.Max(0, (audio.Length - s.Window) / s.Hop + 1);
        var window = HannWindow.Periodic(s.Window, s.Window);
        double wsum = window.Sum();
        var e = new double[frames];
        for (int j = 0; j < frames; j++)
        {
            double acc = 0;
            var frame = audio.Slice(j * s.Hop, s.Window);
            for (int i = 0; i < s.Window; i++) acc += window[i] * frame[i] * frame[i];
            e[j] = acc / wsum;
        }
        return e;
    }

    static double FloorOf(ReadOnlySpan<float> reference, TremoloSettings s)
    {
        var e = Energies(reference, s);
        return (e.Length == 0 ? 0 : e.Max()) * Math.Pow(10, -s.FloorDb / 10);
    }

    /// <summary>½·ln(max(energy, floor)) per frame (the floor from the recording, or this signal's
    /// own loudest frame); <paramref name="active"/> marks frames above the floor.</summary>
    static double[] LogEnvelope(ReadOnlySpan<float> audio, TremoloSettings s, out bool[] active, double? floor = null)
    {
        var e = Energies(audio, s);
        double f = floor ?? (e.Length == 0 ? 0 : e.Max()) * Math.Pow(10, -s.FloorDb / 10);
        f = Math.Max(f, 1e-20);
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

    /// <summary>Band-passes <paramref name="series"/> (frames at sampleRate/hop Hz) to the band and
    /// converts the RMS over the active frames into a depth.</summary>
    static double FromBand(double[] series, bool[] active, int sampleRate, TremoloSettings s)
    {
        int n = series.Length, count = active.Count(a => a);
        if (n < 4 || count == 0) return 0;
        double rate = (double)sampleRate / s.Hop;
        // remove the mean and the straight line through the ends, so the DFT's wrap-around adds no step
        double mean = series.Average();
        var x = new double[n];
        double slope = (series[^1] - series[0]) / (n - 1);
        for (int j = 0; j < n; j++) x[j] = series[j] - mean - slope * (j - (n - 1) / 2.0);
        int kLow = Math.Max(1, (int)Math.Ceiling(s.LowHz * n / rate)), kHigh = Math.Min((n - 1) / 2, (int)Math.Floor(s.HighHz * n / rate));
        var band = new double[n];
        for (int k = kLow; k <= kHigh; k++)
        {
            double re = 0, im = 0, w = 2 * Math.PI * k / n;
            for (int j = 0; j < n; j++) { re += x[j] * Math.Cos(w * j); im -= x[j] * Math.Sin(w * j); }
            // a real series' bins k and n − k together: (2/n)·Re(X_k·e^{iwj})
            // undo the analysis window's smoothing of a modulation at this frequency
            double gain = 2.0 / n / HannResponse(k * rate / n * s.Window / sampleRate);
            for (int j = 0; j < n; j++) band[j] += gain * (re * Math.Cos(w * j) - im * Math.Sin(w * j));
        }
        double sum = 0;
        for (int j = 0; j < n; j++) if (active[j]) sum += band[j] * band[j];
        double rms = Math.Sqrt(sum / count);
        return 1 - Math.Exp(-2 * Math.Sqrt(2) * rms);
    }
}
