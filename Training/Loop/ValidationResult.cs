using WaveFlow.Audio.Dsp;
using WaveFlow.Core;
using WaveFlow.Core.Runtime;
using WaveFlow.Training.Data;
using WaveFlow.Training.Distributed;
using WaveFlow.Vocoder;
using static TorchSharp.torch;

namespace WaveFlow.Training.Loop;

/// <summary>What one validation pass measured, plus the first clip's resynthesis for listening.</summary>
internal sealed record ValidationResult(double Nll, double LogMelL1, float[] FirstAudio, float[] FirstResynthesis, FloatArray FirstMel, FloatArray FirstResynthesisMel);
