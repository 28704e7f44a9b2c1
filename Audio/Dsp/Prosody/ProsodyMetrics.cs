namespace WaveFlow.Audio.Dsp.Prosody;

/// <summary>
/// Pitch, voicing, harmonicity and tremolo of an output against its recording (aligned at sample
/// 0, compared over the common length). HNR per frame is Boersma's 10·log10(r / (1 − r)) with r
/// the normalised autocorrelation at the tracked period, clamped to [0.001, 0.999] (−30..+30 dB),
/// so whispered frames read about −30 dB and a pure tone +30 dB.
/// </summary>
internal static class ProsodyMetrics
{
    /// <summary>The bounds of r in the HNR (±30 dB).</summary>
    public const double MinPeriodicity = 0.001, MaxPeriodicity = 0.999;

    public static ProsodyScores Compare(ReadOnlySpan<float> reference, ReadOnlySpan<float> output, int sampleRate,
        PitchSettings? pitch = null, TremoloSettings? tremolo = null)
    {
        int n = Math.Min(reference.Length, output.Length);
        var r = PitchTracker.Track(reference[..n], sampleRate, pitch);
        var o = PitchTracker.Track(output[..n], sampleRate, pitch);
        return Compare(r, o, Tremolo.Index(reference[..n], output[..n], sampleRate, tremolo));
    }

    /// <summary>From pitch tracks the caller already has (a recording's track serves every system).</summary>
    public static ProsodyScores Compare(PitchTrack reference, PitchTrack output, double tremoloIndex)
    {
        int frames = Math.Min(reference.Frames, output.Frames);
        if (frames == 0) return new ProsodyScores(null, 0, null, null, null, tremoloIndex, 0);
        double cents2 = 0, hnr = 0, refHnr = 0;
        int both = 0, disagree = 0, refVoiced = 0;
        for (int j = 0; j < frames; j++)
        {
            bool a = reference.Voiced[j], b = output.Voiced[j];
            if (a != b) disagree++;
            if (a && b)
            {
                double c = 1200 * Math.Log2(output.F0[j] / reference.F0[j]);
                cents2 += c * c;
                both++;
            }
            if (a)
            {
                refVoiced++;
                hnr += Hnr(output.Periodicity[j]);
                refHnr += Hnr(reference.Periodicity[j]);
            }
        }
        double? h = refVoiced > 0 ? hnr / refVoiced : null, rh = refVoiced > 0 ? refHnr / refVoiced : null;
        return new ProsodyScores(both > 0 ? Math.Sqrt(cents2 / both) : null, (double)disagree / frames,
            h, rh, h is { } x && rh is { } y ? Math.Abs(y - x) : null, tremoloIndex, both);
    }

    /// <summary>Harmonics-to-noise ratio in dB of a normalised autocorrelation r.</summary>
    public static double Hnr(double r)
    {
        double c = Math.Clamp(r, MinPeriodicity, MaxPeriodicity);
        return 10 * Math.Log10(c / (1 - c));
    }
}
