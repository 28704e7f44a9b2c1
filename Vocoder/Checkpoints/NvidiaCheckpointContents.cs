using WaveFlow.Core;
using WaveFlow.Core.Serialization.PyTorch;

namespace WaveFlow.Vocoder.Checkpoints;

/// <summary>
/// What a PyTorch WaveGlow checkpoint holds, in NVIDIA's state-dict names
/// (<c>upsample.weight</c>, <c>WN.0.start.weight_g</c>, <c>WN.0.cond_layer.weight_v</c>, <c>convinv.0.conv.weight</c> ...).
/// <see cref="Kind"/> is "nvidia-checkpoint" (NVIDIA's whole-model checkpoint, zip format),
/// "nvidia-checkpoint-legacy" (the same in PyTorch's pre-zip format, as NVIDIA published them) or
/// "state-dict" (<c>torch.save(model.state_dict())</c>, either format).
/// </summary>
/// <param name="StateDict">Tensors by NVIDIA's state-dict names.</param>
/// <param name="Iteration">The training iteration the checkpoint stores, if any.</param>
/// <param name="Kind">"nvidia-checkpoint", "nvidia-checkpoint-legacy" or "state-dict".</param>
/// <param name="AlternatingHalves">
/// True when the checkpoint's model is NVIDIA's glow_old.py variant, whose odd flows condition on the second
/// half of the channels (see <see cref="CouplingLayout"/>); the weights alone then do not define the function.
/// </param>
internal sealed record NvidiaCheckpointContents(IReadOnlyDictionary<string, FloatArray> StateDict, long? Iteration, string Kind, bool AlternatingHalves = false);
