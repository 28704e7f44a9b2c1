using WaveFlow.Audio;
using WaveFlow.Serialization;

namespace WaveFlow.Vocoder.Evaluation;

/// <summary>
/// Scores outputs with the Audio project's <see cref="SpectralMetrics"/>. Against a recording: all
/// four metrics, the log-mel L1 between the recording's mel and the output's. Without one (mel
/// inputs): the log-mel L1 between the input mel and the output's mel, nothing else. Each output
/// gets one STFT, and each recording one per length it is compared at, however many systems.
/// </summary>
public sealed class ClipScorer(MelOptions mel)
{
    readonly MelSpectrogram melSpec = new(mel);
    readonly Dictionary<(string Clip, int Samples), float[]> referenceMagnitudes = [];

    /// <summary>Scores (without NLL and timing) and the mel of the output, for its spectrogram.</summary>
    public (ClipScore Score, FloatArray OutputMel) Score(InputClip clip, float[] output, string system)
    {
        var outMagnitude = melSpec.Magnitude(output, out int frames);
        var outMel = melSpec.LogMel(outMagnitude, frames);
        double seconds = (double)output.Length / mel.SamplingRate;
        if (clip.Audio is { } reference)
        {
            // Over the common length, aligned at sample 0; outputs are never longer than the
            // recording in a comparison (they are cut to it), else fall back to two fresh STFTs.
            var e = output.Length <= reference.Length
                ? SpectralMetrics.FromMagnitudes(ReferenceMagnitude(clip.Name, reference, output.Length), outMagnitude, frames, melSpec)
                : Errors(reference, output);
            return (new ClipScore(clip.Name, system, seconds, e.LogMelL1, e.MelCepstralDistortion, e.SpectralConvergence), outMel);
        }
        return (new ClipScore(clip.Name, system, seconds, SpectralMetrics.LogMelL1(clip.Mel, outMel)), outMel);
    }

    /// <summary>All errors of <paramref name="output"/> against <paramref name="reference"/>, over the common length (aligned at sample 0).</summary>
    public SpectralScores Errors(float[] reference, float[] output) => SpectralMetrics.Compare(reference, output, melSpec);

    float[] ReferenceMagnitude(string clip, float[] reference, int samples)
    {
        if (!referenceMagnitudes.TryGetValue((clip, samples), out var magnitude))
            referenceMagnitudes[(clip, samples)] = magnitude = melSpec.Magnitude(reference.AsSpan(0, samples), out _);
        return magnitude;
    }
}
