using WaveFlow.Audio.Dsp;
using WaveFlow.Audio.Dsp.Prosody;
using WaveFlow.Vocoder;

namespace WaveFlow.Evaluation.Comparison;

/// <summary>What produced a row of the report.</summary>
internal enum SystemKind { Model, GriffinLim, GroundTruth }
