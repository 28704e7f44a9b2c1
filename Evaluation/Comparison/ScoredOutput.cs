using WaveFlow.Audio;
using WaveFlow.Audio.Dsp;
using WaveFlow.Audio.Dsp.Prosody;
using WaveFlow.Core;

namespace WaveFlow.Evaluation.Comparison;

/// <summary>A scored output: its scores, its mel (for the spectrogram) and its pitch track (for the F0 plot).</summary>
internal sealed record ScoredOutput(ClipScore Score, FloatArray OutputMel, PitchTrack Pitch)
{
    public void Deconstruct(out ClipScore score, out FloatArray outputMel) => (score, outputMel) = (Score, OutputMel);
}
