namespace WaveFlow.Audio.Dsp.Prosody;

/// <summary>
/// Settings of <see cref="PitchWobble"/>: a stretch counts when at least <see cref="MinStretch"/>
/// consecutive frames are voiced in both signals (12 mel hops = 139 ms at 22,050 Hz: most of a
/// period of a 5.5 Hz vibrato, so a straight line cannot absorb it); within a stretch a frame
/// more than <see cref="OutlierCents"/> from the stretch's median difference is an octave (or
/// fifth) error of one tracker, not a wobble, and is set aside.
/// </summary>
internal sealed record WobbleSettings(int MinStretch = 12, double OutlierCents = 600);

/// <summary>The pitch wobble and the frames it was measured on (null cents when no stretch qualifies).</summary>
internal sealed record WobbleReading(double? Cents, int Frames, int Stretches);

/// <summary>
/// How much the output's F0 wavers around the recording's: per frame the difference
/// 1200·log2(F0_out / F0_ref) in cents, over stretches voiced in both, each stretch's straight-line
/// trend (least squares over frame index) removed, octave outliers set aside, RMS over all those
/// frames. A constant pitch shift or a slow drift leaves nothing; a vibrato of ±A cents reads its
/// RMS A/√2 (35 cents for ±50). F0 RMSE cannot tell the two apart; this can.
/// </summary>
internal static class PitchWobble
{
    public static WobbleReading Measure(PitchTrack reference, PitchTrack output, WobbleSettings? settings = null)
    {
        var s = settings ?? new WobbleSettings();
        int frames = Math.Min(reference.Frames, output.Frames);
        double sum = 0;
        int count = 0, stretches = 0;
        for (int start = 0; start < frames;)
        {
            if (!(reference.Voiced[start] && output.Voiced[start])) { start++; continue; }
            int end = start;
            while (end < frames && reference.Voiced[end] && output.Voiced[end]) end++;
            if (end - start >= s.MinStretch)
            {
                var (sq, kept) = Stretch(reference, output, start, end, s.OutlierCents);
                if (kept >= 3) { sum += sq; count += kept; stretches++; }
            }
            start = end;
        }
        return new WobbleReading(count > 0 ? Math.Sqrt(sum / count) : null, count, stretches);
    }

    /// <summary>Sum of squared residuals about the stretch's least-squares line, and the frames kept.</summary>
    static (double SumSquares, int Kept) Stretch(PitchTrack reference, PitchTrack output, int start, int end, double outlierCents)
    {
        int n = end - start;
        var cents = new double[n];
        for (int i = 0; i < n; i++) cents[i] = 1200 * Math.Log2(output.F0[start + i] / reference.F0[start + i]);
        var sorted = cents.Order().ToArray();
        double median = sorted[n / 2];
        // least-squares line c = a + b·i through the kept frames
        double si = 0, sc = 0, sii = 0, sic = 0;
        int kept = 0;
        for (int i = 0; i < n; i++)
        {
            if (Math.Abs(cents[i] - median) > outlierCents) continue;
            si += i; sc += cents[i]; sii += (double)i * i; sic += i * cents[i]; kept++;
        }
        if (kept < 3) return (0, 0);
        double den = kept * sii - si * si;
        double b = den > 0 ? (kept * sic - si * sc) / den : 0, a = (sc - b * si) / kept;
        double sum = 0;
        for (int i = 0; i < n; i++)
        {
            if (Math.Abs(cents[i] - median) > outlierCents) continue;
            double r = cents[i] - a - b * i;
            sum += r * r;
        }
        return (sum, kept);
    }
}
