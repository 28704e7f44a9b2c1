using static TorchSharp.torch;

namespace WaveFlow.Vocoder;

/// <summary>
/// WaveGlow's squeeze: n_group consecutive samples become n_group channels of one time step, so
/// the flow works on (B, n_group, T/n_group) and its 1x1 convolutions mix neighbouring samples.
/// The mel is folded the same way so that each time step sees the n_group upsampled mel
/// vectors of its samples.
/// </summary>
internal static class Squeeze
{
    /// <summary>(B, T) → (B, g, T/g); channel j at step t is sample t·g + j.</summary>
    public static Tensor Audio(Tensor audio, int group)
    {
        using var scope = NewDisposeScope();
        long batch = audio.shape[0], steps = audio.shape[1] / group;
        return audio.view(batch, steps, group)        // (B, T/g, g)
            .permute(0, 2, 1)                         // (B, g, T/g)
            .MoveToOuterDisposeScope();
    }

    /// <summary>(B, g, T/g) → (B, T): the inverse of <see cref="Audio"/>.</summary>
    public static Tensor UnsqueezeAudio(Tensor z)
    {
        using var scope = NewDisposeScope();
        return z.permute(0, 2, 1)                     // (B, T/g, g)
            .reshape(z.shape[0], -1)                  // (B, T)
            .MoveToOuterDisposeScope();
    }

    /// <summary>
    /// (B, C, L) with L a multiple of g → (B, C·g, L/g), channel c·g + j at step t being
    /// mel[b, c, t·g + j]: the same layout as NVIDIA's unfold/permute/view.
    /// </summary>
    public static Tensor Mel(Tensor spect, int group)
    {
        using var scope = NewDisposeScope();
        long batch = spect.shape[0], channels = spect.shape[1], steps = spect.shape[2] / group;
        return spect.view(batch, channels, steps, group)   // (B, C, L/g, g)
            .permute(0, 1, 3, 2)                           // (B, C, g, L/g)
            .reshape(batch, channels * group, steps)       // (B, C·g, L/g)
            .MoveToOuterDisposeScope();
    }
}
