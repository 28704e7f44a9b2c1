using WaveFlow.Audio.Dsp;
using WaveFlow.Core;
using WaveFlow.Core.Runtime;
using WaveFlow.Training.Data;
using WaveFlow.Training.Distributed;
using WaveFlow.Vocoder;
using static TorchSharp.torch;

namespace WaveFlow.Training.Loop;

/// <summary>What one validation pass measured, plus the first clip's resynthesis for listening.</summary>
internal sealed record ValidationResult(double Nll, double LogMelL1, float[] FirstAudio, float[] FirstResynthesis, FloatArray FirstMel, FloatArray FirstResynthesisMel)
{
    /// <summary>Mean over the clips of the resynthesis's voicing error against the clip (share of frames voiced in one only).</summary>
    public double VoicingError { get; init; } = double.NaN;
    /// <summary>Mean HNR gap in dB over the clips with voiced frames (NaN: none).</summary>
    public double HnrGapDb { get; init; } = double.NaN;
    /// <summary>Mean F0 RMSE in cents over the clips voiced in both (NaN: none, so the output is unvoiced).</summary>
    public double F0RmseCents { get; init; } = double.NaN;
}
