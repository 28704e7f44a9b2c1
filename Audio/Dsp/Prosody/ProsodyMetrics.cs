namespace WaveFlow.Audio.Dsp.Prosody;

/// <summary>
/// What a listener hears first, measured against a recording. Null where a measure has nothing to
/// measure: F0 errors without a frame voiced in both signals, the pitch wobble without a stretch
/// voiced in both, the HNRs without a voiced frame in the recording. All frames are the pitch
/// tracker's (one per mel hop).
/// </summary>
/// <param name="F0">F0 RMSE, gross errors and fine RMSE, coverage, voiced↔unvoiced errors (<see cref="F0Errors"/>).</param>
/// <param name="Wobble">How the output's F0 wavers around the recording's (<see cref="PitchWobble"/>).</param>
/// <param name="VoicingError">Share of all frames where exactly one of the two is voiced.</param>
/// <param name="HnrDb">The output's harmonics-to-noise ratio, mean over the frames where the recording is voiced.</param>
/// <param name="ReferenceHnrDb">The recording's own HNR over the same frames.</param>
/// <param name="HnrGapDb">|ReferenceHnrDb − HnrDb|: 0 when the output is as periodic as the recording.</param>
/// <param name="Tremolo">The periodic amplitude modulation the output adds, and the envelope lag found (<see cref="Prosody.Tremolo"/>).</param>
internal sealed record ProsodyScores(
    F0Errors F0, WobbleReading Wobble, double VoicingError, double? HnrDb, double? ReferenceHnrDb, double? HnrGapDb,
    TremoloReading Tremolo)
{
    /// <summary>RMS of 1200·log2(F0_out / F0_ref) over frames voiced in both (gross errors included).</summary>
    public double? F0RmseCents => F0.RmseCents;
    /// <summary>Frames voiced in both (the F0 errors' support).</summary>
    public int VoicedFrames => F0.BothVoiced;
    public double? PitchWobbleCents => Wobble.Cents;
    public double TremoloIndex => Tremolo.Index;
}

/// <summary>
/// Pitch, voicing, harmonicity and tremolo of an output against its recording (pitch compared
/// frame by frame from sample 0 over the common length; the tremolo envelopes aligned first).
/// HNR per frame is Boersma's 10·log10(r / (1 − r)) with r the normalised autocorrelation at the
/// tracked period, clamped to [0.001, 0.999] (−30..+30 dB).
/// </summary>
internal static class ProsodyMetrics
{
    /// <summary>The bounds of r in the HNR (±30 dB).</summary>
    public const double MinPeriodicity = 0.001, MaxPeriodicity = 0.999;

    /// <summary>Every prosody measure of <paramref name="output"/> against <paramref name="recording"/> (mono, same rate).</summary>
    public static ProsodyScores Compare(ReadOnlySpan<float> recording, ReadOnlySpan<float> output, int sampleRate,
        PitchSettings? pitch = null, TremoloSettings? tremolo = null)
    {
        int n = Math.Min(recording.Length, output.Length);
        var r = PitchTracker.Track(recording[..n], sampleRate, pitch);
        var o = PitchTracker.Track(output[..n], sampleRate, pitch);
        return Compare(r, o, Prosody.Tremolo.Measure(recording[..n], output[..n], sampleRate, tremolo));
    }

    /// <summary>From pitch tracks the caller already has (a recording's track serves every system).</summary>
    public static ProsodyScores Compare(PitchTrack reference, PitchTrack output, TremoloReading tremolo)
    {
        int frames = Math.Min(reference.Frames, output.Frames);
        var f0 = F0Errors.Measure(reference, output);
        var wobble = PitchWobble.Measure(reference, output);
        if (frames == 0) return new ProsodyScores(f0, wobble, 0, null, null, null, tremolo);
        double hnr = 0, refHnr = 0;
        int disagree = 0, refVoiced = 0;
        for (int j = 0; j < frames; j++)
        {
            bool a = reference.Voiced[j], b = output.Voiced[j];
            if (a != b) disagree++;
            if (!a) continue;
            refVoiced++;
            hnr += Hnr(output.Periodicity[j]);
            refHnr += Hnr(reference.Periodicity[j]);
        }
        double? h = refVoiced > 0 ? hnr / refVoiced : null, rh = refVoiced > 0 ? refHnr / refVoiced : null;
        return new ProsodyScores(f0, wobble, (double)disagree / frames, h, rh,
            h is { } x && rh is { } y ? Math.Abs(y - x) : null, tremolo);
    }

    /// <summary>Harmonics-to-noise ratio in dB of a normalised autocorrelation r.</summary>
    public static double Hnr(double r)
    {
        double c = Math.Clamp(r, MinPeriodicity, MaxPeriodicity);
        return 10 * Math.Log10(c / (1 - c));
    }
}
