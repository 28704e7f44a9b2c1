using WaveFlow.Audio.Dsp;
using WaveFlow.Audio.Dsp.Prosody;
using WaveFlow.Vocoder;

namespace WaveFlow.Evaluation.Comparison;

/// <summary>The block structure of one WaveGlow-style model, as a reader of the report wants to see it.</summary>
internal sealed record ModelStructure(
    int MelChannels, int Flows, int Group, int EarlyEvery, int EarlySize,
    int WnLayers, int Channels, int KernelSize, string Coupling, string Permutation, bool PriorScale = false);
