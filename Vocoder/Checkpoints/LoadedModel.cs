using WaveFlow.Audio;

namespace WaveFlow.Vocoder.Checkpoints;

/// <summary>
/// A model ready for inference (eval mode, on its device) with its settings. <see cref="Kind"/>
/// says where it came from: "waveflow", "nvidia-checkpoint", "nvidia-checkpoint-legacy",
/// "state-dict" or "safetensors".
/// </summary>
internal sealed record LoadedModel(WaveGlow Model, WaveGlowOptions Options, MelOptions Mel, long Step, string Kind);
