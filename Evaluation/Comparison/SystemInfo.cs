using WaveFlow.Audio.Dsp;
using WaveFlow.Audio.Dsp.Prosody;
using WaveFlow.Vocoder;

namespace WaveFlow.Evaluation.Comparison;

/// <summary>One system under comparison: a model (with its structure and size), Griffin-Lim or the recording.</summary>
internal sealed record SystemInfo(
    string Name, SystemKind Kind, ModelStructure? Structure = null, long? Parameters = null,
    long? CheckpointBytes = null, string? Checkpoint = null, string? CheckpointKind = null);
