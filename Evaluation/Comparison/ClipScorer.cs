using WaveFlow.Audio;
using WaveFlow.Audio.Dsp;
using WaveFlow.Audio.Dsp.Prosody;
using WaveFlow.Core;

namespace WaveFlow.Evaluation.Comparison;

/// <summary>
/// Scores outputs with the Audio project's <see cref="SpectralMetrics"/> and <see cref="ProsodyMetrics"/>.
/// Against a recording: all spectral metrics (the log-mel L1 between the recording's mel and the
/// output's), F0 RMSE, voicing error, HNR and the tremolo index. Without one (mel inputs): the
/// log-mel L1 between the input mel and the output's mel, nothing else. Each output gets one STFT
/// and one pitch track, and each recording one of each per length it is compared at, however many systems.
/// </summary>
internal sealed class ClipScorer(MelOptions mel)
{
    readonly MelSpectrogram melSpec = new(mel);
    readonly PitchSettings pitch = new(Hop: mel.HopLength);
    readonly Dictionary<(string Clip, int Samples), float[]> referenceMagnitudes = [];
    readonly Dictionary<(string Clip, int Samples), PitchTrack> referencePitch = [];

    /// <summary>Scores (without NLL and timing), the mel of the output and its pitch track.</summary>
    public ScoredOutput Score(InputClip clip, float[] output, string system)
    {
        var outMagnitude = melSpec.Magnitude(output, out int frames);
        var outMel = melSpec.LogMel(outMagnitude, frames);
        var outPitch = PitchTracker.Track(output, mel.SamplingRate, pitch);
        double seconds = (double)output.Length / mel.SamplingRate;
        if (clip.Audio is { } reference)
        {
            // Over the common length, aligned at sample 0; outputs are never longer than the
            // recording in a comparison (they are cut to it), else fall back to two fresh STFTs.
            bool fits = output.Length <= reference.Length;
            var e = fits
                ? SpectralMetrics.FromMagnitudes(ReferenceMagnitude(clip.Name, reference, output.Length), outMagnitude, frames, melSpec)
                : Errors(reference, output);
            var refPitch = fits ? ReferencePitch(clip.Name, reference, output.Length)
                : PitchTracker.Track(reference, mel.SamplingRate, pitch);
            int n = Math.Min(reference.Length, output.Length);
            var p = ProsodyMetrics.Compare(refPitch, outPitch, Tremolo.Measure(reference.AsSpan(0, n), output.AsSpan(0, n), mel.SamplingRate));
            return new ScoredOutput(new ClipScore(clip.Name, system, seconds, e.LogMelL1, e.MelCepstralDistortion, e.SpectralConvergence).WithProsody(p),
                outMel, outPitch);
        }
        return new ScoredOutput(new ClipScore(clip.Name, system, seconds, SpectralMetrics.LogMelL1(clip.Mel, outMel)), outMel, outPitch);
    }

    /// <summary>All spectral errors of <paramref name="output"/> against <paramref name="reference"/>, over the common length (aligned at sample 0).</summary>
    public SpectralScores Errors(float[] reference, float[] output) => SpectralMetrics.Compare(reference, output, melSpec);

    /// <summary>Pitch, voicing, HNR and tremolo of <paramref name="output"/> against <paramref name="reference"/>, over the common length.</summary>
    public ProsodyScores Prosody(float[] reference, float[] output) =>
        ProsodyMetrics.Compare(reference, output, mel.SamplingRate, pitch);

    float[] ReferenceMagnitude(string clip, float[] reference, int samples)
    {
        if (!referenceMagnitudes.TryGetValue((clip, samples), out var magnitude))
            referenceMagnitudes[(clip, samples)] = magnitude = melSpec.Magnitude(reference.AsSpan(0, samples), out _);
        return magnitude;
    }

    PitchTrack ReferencePitch(string clip, float[] reference, int samples)
    {
        if (!referencePitch.TryGetValue((clip, samples), out var track))
            referencePitch[(clip, samples)] = track = PitchTracker.Track(reference.AsSpan(0, samples), mel.SamplingRate, pitch);
        return track;
    }
}
