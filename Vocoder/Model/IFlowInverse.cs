using static TorchSharp.torch;

namespace WaveFlow.Vocoder;

/// <summary>
/// One way to run a flow backwards: z (B, n_group, T/n_group) and mel (B, n_mel, F) → audio
/// (B, T), the same function whichever runs it. <see cref="WaveGlow"/> itself is the reference
/// (glow.py's infer, autograd-capable); the fast ones for synthesis live in Inference/
/// (<c>WorkspaceInverse</c>, <c>PhaseFoldedInverse</c>) and are picked once, when a model is
/// loaded for synthesis (<c>FlowInverse.ForSynthesis</c>).
/// </summary>
internal interface IFlowInverse
{
    /// <summary>The flow whose inverse this runs (its options and mel settings).</summary>
    WaveGlow Model { get; }

    /// <summary>z (B, n_group, T/n_group), mel (B, n_mel, F) → audio (B, T); the caller owns the result.</summary>
    Tensor Inverse(Tensor z, Tensor mel);
}
