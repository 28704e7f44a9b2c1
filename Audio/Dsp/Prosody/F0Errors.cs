namespace WaveFlow.Audio.Dsp.Prosody;

/// <summary>
/// The output's F0 against the recording's, split the way pitch-tracking papers split it, every
/// rate with the frames behind it. Rates are null where they have no frames.
/// </summary>
/// <param name="RmseCents">RMS of 1200·log2(F0_out / F0_ref) over all <paramref name="BothVoiced"/> frames (gross errors included).</param>
/// <param name="GrossErrorRate">Share of the frames voiced in both whose F0 is more than <see cref="F0Errors.GrossRatio"/> off (octave errors included).</param>
/// <param name="GrossFrames">Those frames.</param>
/// <param name="FineRmseCents">RMS in cents over the frames voiced in both that are not gross errors.</param>
/// <param name="FineFrames">Those frames.</param>
/// <param name="BothVoiced">Frames voiced in both.</param>
/// <param name="Coverage">Share of the recording's voiced frames that the output voices (1 − <paramref name="VoicedToUnvoiced"/>).</param>
/// <param name="VoicedToUnvoiced">Share of the recording's voiced frames that the output leaves unvoiced.</param>
/// <param name="UnvoicedToVoiced">Share of the recording's unvoiced frames that the output voices.</param>
/// <param name="ReferenceVoiced">The recording's voiced frames.</param>
/// <param name="ReferenceUnvoiced">The recording's unvoiced frames.</param>
internal sealed record F0Errors(
    double? RmseCents, double? GrossErrorRate, int GrossFrames, double? FineRmseCents, int FineFrames, int BothVoiced,
    double? Coverage, double? VoicedToUnvoiced, double? UnvoicedToVoiced, int ReferenceVoiced, int ReferenceUnvoiced)
{
    /// <summary>A frame is a gross error when F0_out / F0_ref is off 1 by more than this (20 %, the usual
    /// gross-pitch-error bound: about +316 / −386 cents, so octave errors always count).</summary>
    public const double GrossRatio = 0.2;

    public static F0Errors Measure(PitchTrack reference, PitchTrack output)
    {
        int frames = Math.Min(reference.Frames, output.Frames);
        double all2 = 0, fine2 = 0;
        int both = 0, gross = 0, refVoiced = 0, vToUv = 0, uvToV = 0;
        for (int j = 0; j < frames; j++)
        {
            bool a = reference.Voiced[j], b = output.Voiced[j];
            if (a) refVoiced++;
            if (a && !b) vToUv++;
            if (!a && b) uvToV++;
            if (!(a && b)) continue;
            both++;
            double ratio = output.F0[j] / reference.F0[j], c = 1200 * Math.Log2(ratio);
            all2 += c * c;
            if (Math.Abs(ratio - 1) > GrossRatio) gross++;
            else fine2 += c * c;
        }
        int refUnvoiced = frames - refVoiced, fine = both - gross;
        return new F0Errors(
            both > 0 ? Math.Sqrt(all2 / both) : null, both > 0 ? (double)gross / both : null, gross,
            fine > 0 ? Math.Sqrt(fine2 / fine) : null, fine, both,
            refVoiced > 0 ? 1 - (double)vToUv / refVoiced : null, refVoiced > 0 ? (double)vToUv / refVoiced : null,
            refUnvoiced > 0 ? (double)uvToV / refUnvoiced : null, refVoiced, refUnvoiced);
    }
}
