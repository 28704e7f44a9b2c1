using WaveFlow.Audio;

namespace WaveFlow.Vocoder.Synthesis;

/// <summary>
/// How far one output sample of <see cref="WaveGlow.Inverse"/> looks into its neighbours, derived
/// from the options alone. Chunked synthesis needs this to know how much context makes a chunk
/// exactly equal to the same stretch of a whole-utterance synthesis.
/// </summary>
internal static class ReceptiveField
{
    /// <summary>
    /// Grouped time steps (of n_group samples) one coupling's WN sees on EACH side. Layer i is a
    /// kernel_size k convolution with dilation 2^i and "same" padding, so it reaches
    /// (k−1)/2·2^i steps each way (its full span is (k−1)·2^i + 1); summed over the n_layers
    /// layers that is (k−1)/2·(2^L − 1). start, end, res_skip and cond layers are 1x1 and add
    /// nothing; neither do the invertible 1x1 convolutions, which mix channels, not time.
    /// NVIDIA's 8 layers with k = 3: 255 steps = 2040 samples each side.
    /// </summary>
    public static long StepsPerFlow(WNOptions wn) => (wn.KernelSize - 1) / 2 * ((1L << wn.NLayers) - 1);

    /// <summary>
    /// Steps each side for the whole inverse: flow k's WN reads the half that flow k+1 produced,
    /// whose every step already depends on StepsPerFlow steps each side, so the reach adds up
    /// over the flows (NVIDIA's 12 flows: 3060 steps = 24,480 samples ≈ 1.1 s at 22,050 Hz).
    /// </summary>
    public static long Steps(WaveGlowOptions options) => options.NFlows * StepsPerFlow(options.WN);

    /// <summary>
    /// Mel frames of context each side that make a chunk's output equal whole-utterance synthesis
    /// (up to float rounding). Two edge effects must stay inside the discarded context:
    /// <list type="bullet">
    /// <item>the flow's: a chunk zero-pads its convolutions where the whole utterance has real
    /// neighbours; the wrong values spread <see cref="Steps"/>·n_group samples inwards;</item>
    /// <item>the upsampler's: sample s sums the frames f with f·hop ≤ s &lt; f·hop + filter_length,
    /// so the first filter_length − hop samples of a chunk that starts mid-utterance miss the
    /// frames before it (at the right end nothing is missing: later frames only touch later
    /// samples).</item>
    /// </list>
    /// Both are counted on both sides, which keeps one number for the two and costs at most
    /// filter/hop − 1 frames. NVIDIA's config: ⌈(24,480 + 768)/256⌉ = 99 frames; the small
    /// 8 × 4 × 64 config: ⌈(960 + 768)/256⌉ = 7 frames.
    /// </summary>
    public static int ContextFrames(WaveGlowOptions options, MelOptions mel)
    {
        long samples = Steps(options) * options.NGroup + Math.Max(0, mel.FilterLength - mel.HopLength);
        return (int)((samples + mel.HopLength - 1) / mel.HopLength);
    }
}
