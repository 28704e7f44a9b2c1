using WaveFlow.Audio;
using static TorchSharp.torch;

namespace WaveFlow.Vocoder;

/// <summary>
/// One flow's conditioning folded with the mel upsampler, for synthesis. Both are linear: the
/// upsampler (a transposed convolution, kernel K = filter_length, stride hop) makes sample s from
/// the J = K/hop mel frames whose windows cover it, and cond_layer maps the n_group upsampled mel
/// vectors of a grouped step to 2·C·L outputs. A grouped step t = P·F + p (P = hop/n_group phases
/// per frame) depends on frames F − J + 1 … F only, through a matrix that depends on its phase p
/// alone, so
/// <code>
///   cond[o, P·F + p] = b'[o] + Σ_i Σ_c A[(i, c), (o, p)] · mel[c, F − i]    (frames before 0 are 0)
///   A[(i, c), (o, p)] = Σ_{c', k} W_cond[o, c'·g + k] · W_up[c, c', hop·i + g·p + k]
///   b'[o]            = b_cond[o] + Σ_{c', k} W_cond[o, c'·g + k] · b_up[c']
/// </code>
/// The same function with J·n_mel inputs per output instead of n_mel·n_group: half the
/// multiply-adds for Tacotron2's STFT (J = 4 frames of 80 mels against 8 samples of 80) and no
/// upsampled mel at all. The price is memory, P·J·n_mel·2·C·L weights per flow: 168 MB in
/// float32 for the shipped 8 × 4 × 64 model, 2.0 GB for NVIDIA's 12 × 8 × 256 (see
/// <see cref="AutoBudgetBytes"/>).
/// </summary>
internal sealed class PhaseFold : IDisposable
{
    /// <summary>
    /// Folded weights up to this size are made by default (<see cref="PhaseFoldedInverse.TryCreate"/>
    /// with no size given): the shipped model's 168 MB (fp32) and 84 MB (bf16) are, NVIDIA's
    /// 2.0 / 1.0 GB are not, since they would more than triple its memory and take seconds to
    /// compute at load.
    /// </summary>
    public const long AutoBudgetBytes = 256L << 20;

    /// <summary>(L, J·n_mel, 2C·P): layer l's matrix, rows (i, c) = i·n_mel + c, columns (o, p) = o·P + p.</summary>
    public Tensor Weights { get; }

    /// <summary>(L, 2C): b' per layer.</summary>
    public Tensor Bias { get; }

    /// <summary>P = hop / n_group grouped steps per mel frame.</summary>
    public int Phases { get; }

    /// <summary>J = filter_length / hop frames in each step's window.</summary>
    public int Frames { get; }

    private PhaseFold(Tensor weights, Tensor bias, int phases, int frames)
    {
        Weights = weights;
        Bias = bias;
        Phases = phases;
        Frames = frames;
    }

    /// <summary>Whether the fold exists for these settings: hop a multiple of n_group, filter_length of hop.</summary>
    public static bool Applies(WaveGlowOptions options, MelOptions mel) =>
        mel.HopLength % options.NGroup == 0 && mel.FilterLength % mel.HopLength == 0;

    /// <summary>Bytes of all flows' folded weights in a format of <paramref name="elementSize"/> bytes.</summary>
    public static long Bytes(WaveGlowOptions options, MelOptions mel, int elementSize)
    {
        long phases = mel.HopLength / options.NGroup, frames = mel.FilterLength / mel.HopLength;
        long perFlow = phases * frames * options.NMelChannels * 2L * options.WN.NChannels * options.WN.NLayers;
        return options.NFlows * perFlow * elementSize;
    }

    /// <summary>
    /// The upsampler as every flow's fold reads it (float32): per phase p the (J·n_mel × n_mel·g)
    /// matrix of its taps hop·i + g·p + k, rows (i, c) and columns (c', k) as cond_layer's inputs,
    /// and its bias per grouped input (b_up[c'] at c'·g + k). Made once for all flows.
    /// </summary>
    public sealed class UpsamplerTaps : IDisposable
    {
        /// <summary>(P, J·n_mel, n_mel·g).</summary>
        public Tensor Taps { get; }

        /// <summary>(n_mel·g).</summary>
        public Tensor Bias { get; }

        public int Phases { get; }
        public int Frames { get; }

        /// <param name="weight">the upsampler's (n_mel, n_mel, K)</param>
        /// <param name="bias">the upsampler's (n_mel)</param>
        /// <param name="nGroup">n_group: samples per grouped step</param>
        /// <param name="hop">the STFT hop, the upsampler's stride</param>
        public UpsamplerTaps(Tensor weight, Tensor bias, int nGroup, int hop)
        {
            using var scope = NewDisposeScope();
            long nMel = weight.shape[0];
            Phases = hop / nGroup;
            Frames = (int)(weight.shape[2] / hop);
            Taps = weight.to(ScalarType.Float32)
                .view(nMel, nMel, Frames, Phases, nGroup)                          // (c, c', i, p, k): tap hop·i + g·p + k
                .permute(3, 2, 0, 1, 4)                                            // (p, i, c, c', k)
                .reshape(Phases, Frames * nMel, nMel * nGroup)                    // (P, J·n_mel, n_mel·g)
                .DetachFromDisposeScope();
            Bias = bias.to(ScalarType.Float32).repeat_interleave(nGroup).DetachFromDisposeScope();   // (n_mel·g)
        }

        public void Dispose()
        {
            Taps.Dispose();
            Bias.Dispose();
        }
    }

    /// <summary>
    /// Folds one flow's cond_layer, <paramref name="condWeight"/> (2·C·L, n_mel·g) and
    /// <paramref name="condBias"/> (2·C·L), with the <paramref name="upsampler"/>: one
    /// (P·J·n_mel × n_mel·g)·(n_mel·g × 2·C·L) product. Computed in float32 (float64 is no closer
    /// to the unfolded model, which itself runs in float32), stored in cond_layer's dtype.
    /// </summary>
    public static PhaseFold Compute(UpsamplerTaps upsampler, Tensor condWeight, Tensor condBias, int nLayers)
    {
        using var scope = NewDisposeScope();
        var dtype = condWeight.dtype;
        long phases = upsampler.Phases, window = upsampler.Taps.shape[1];           // P, J·n_mel
        long perLayer = condWeight.shape[0] / nLayers;                              // 2C
        var cond = condWeight.to(ScalarType.Float32);                               // (2CL, n_mel·g)
        var a = matmul(upsampler.Taps.view(phases * window, -1), cond.t());        // (P·J·n_mel, 2CL)
        var weights = a.view(phases, window, nLayers, perLayer)                    // (p, (i,c), l, o)
            .permute(2, 1, 3, 0)                                                   // (l, (i,c), o, p)
            .reshape(nLayers, window, perLayer * phases)                           // (L, J·n_mel, 2C·P)
            .to(dtype);
        var bias = (condBias.to(ScalarType.Float32) + mv(cond, upsampler.Bias))     // (2CL)
            .view(nLayers, perLayer)                                               // (L, 2C)
            .to(dtype);
        return new PhaseFold(weights.DetachFromDisposeScope(), bias.DetachFromDisposeScope(), upsampler.Phases, upsampler.Frames);
    }

    /// <summary>
    /// mel (n_mel, F) → (F, J·n_mel), row F holding frames F, F−1, …, F−J+1 (zero before the
    /// first): the input of every layer's folded product.
    /// </summary>
    public Tensor Windows(Tensor mel)
    {
        using var scope = NewDisposeScope();
        long nMel = mel.shape[0], count = mel.shape[1];
        var padded = nn.functional.pad(mel, [Frames - 1, 0]);                     // (n_mel, J−1+F)
        var blocks = Enumerable.Range(0, Frames)
            .Select(i => padded.narrow(1, Frames - 1 - i, count))                  // frame F − i at column F
            .ToArray();
        return stack(blocks, 0)                                                     // (J, n_mel, F)
            .view(Frames * nMel, count)                                            // (J·n_mel, F)
            .t().contiguous()                                                      // (F, J·n_mel)
            .MoveToOuterDisposeScope();
    }

    /// <summary>This fold in another dtype and on another device (a new fold; this one is kept).</summary>
    public PhaseFold To(ScalarType dtype, Device device)
    {
        using var scope = NewDisposeScope();
        return new PhaseFold(Weights.to(dtype, device).DetachFromDisposeScope(), Bias.to(dtype, device).DetachFromDisposeScope(), Phases, Frames);
    }

    /// <summary>Whether these tensors were made for <paramref name="like"/>'s dtype and device.</summary>
    public bool Matches(Tensor like) =>
        Weights.dtype == like.dtype && Weights.device.type == like.device.type && Weights.device.index == like.device.index;

    public void Dispose()
    {
        Weights.Dispose();
        Bias.Dispose();
    }
}
