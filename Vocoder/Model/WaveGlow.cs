using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using WaveFlow.Audio;
using WaveFlow.Core;
using static TorchSharp.torch;

namespace WaveFlow.Vocoder;

/// <summary>
/// NVIDIA's WaveGlow (glow.py): a normalising flow from audio to Gaussian noise, conditioned on
/// the mel spectrogram. Each of n_flows steps is an invertible 1x1 convolution followed by an
/// affine coupling whose scale and shift come from a WN network. Every n_early_every flows,
/// n_early_size channels leave the flow early (multi-scale: they become part of z unchanged).
/// State-dict names equal NVIDIA's: upsample.*, WN.k.*, convinv.k.conv.weight.
/// </summary>
internal sealed class WaveGlow : nn.Module, IFlowInverse
{
    // The harmonic source (waveglow_config.harmonic_source; null when off): the flow models audio − source.
    private readonly HarmonicSource? source;
    private readonly MelUpsampler upsample;
    [ComponentName(Name = "WN")] private readonly ModuleList<WN> wn;
    private readonly ModuleList<ChannelMixing> convinv;
    // NICE's scaling layer (prior_scale): z = exp(s_c)·z per channel, (1, n_group, 1); null when off.
    private Parameter? prior_log_scale;

    public WaveGlowOptions Options { get; }
    public MelOptions Mel { get; }

    public WaveGlow(WaveGlowOptions options, MelOptions mel) : base(nameof(WaveGlow))
    {
        options.Validate("waveglow_config");
        if (mel.NMelChannels != options.NMelChannels)
            throw new WaveFlowException($"mel settings: n_mel_channels {mel.NMelChannels} differs from waveglow_config n_mel_channels {options.NMelChannels}");
        Options = options;
        Mel = mel;
        if (options.HarmonicSource is { } harmonic) source = new HarmonicSource(harmonic, mel);
        // The mel has one frame per hop; a transposed convolution with kernel filter_length and
        // stride hop_length learns to spread each frame over the samples its STFT window covered.
        upsample = new MelUpsampler(options.NMelChannels, mel.FilterLength, mel.HopLength);
        wn = new ModuleList<WN>();
        convinv = new ModuleList<ChannelMixing>();
        bool additive = options.Coupling == Couplings.Additive;
        for (int k = 0; k < options.NFlows; k++)
        {
            int channels = options.ChannelsAtFlow(k);
            convinv.Add(ChannelMixing.Create(options.Permutation, channels, k, options.PermutationSeed));
            // Affine coupling needs (b, log s) for each channel of the other half; additive only b.
            wn.Add(new WN(channels / 2, options.NMelChannels * options.NGroup, options.WN, additive ? channels / 2 : channels));
        }
        if (options.PriorScale)
        {
            // Starts at 0 (unit variance), i.e. exactly the model without the layer.
            prior_log_scale = new Parameter(zeros(1, options.NGroup, 1));
        }
        RegisterComponents();
    }

    /// <summary>The harmonic source, or null for NVIDIA's design. <see cref="Forward"/> and
    /// <see cref="Inverse"/> are the flow alone: the caller subtracts the source before the
    /// forward and adds it after the inverse (synthesis renders it once for the whole utterance,
    /// so that its phase runs on across chunks).</summary>
    public HarmonicSource? Source => source;

    private bool IsEarlyExit(int k) => k > 0 && k % Options.NEarlyEvery == 0;

    // glow_old.py's layout: odd flows condition on the second half and transform the first.
    private bool SwapsHalves(int k) => Options.AlternatingHalves && k % 2 == 1;

    /// <summary>
    /// audio (B, T) in [-1, 1], T a multiple of n_group; mel (B, n_mel, F) with
    /// (F−1)·hop + filter_length ≥ T → z (B, n_group, T/n_group) with the early outputs first in
    /// flow order, Σ log s and Σ log|det W| (each summed over the batch, as NVIDIA's loss sums them).
    /// </summary>
    public (Tensor Z, Tensor LogSSum, Tensor LogDetWSum) Forward(Tensor audio, Tensor mel)
    {
        using var scope = NewDisposeScope();
        int g = Options.NGroup;
        long samples = audio.shape[1];
        if (samples % g != 0)
            throw new WaveFlowException($"forward: audio length {samples} is not a multiple of n_group {g}");
        var spect = upsample.forward(mel);            // (B, n_mel, (F−1)·hop + filter)
        if (spect.shape[2] < samples)
            throw new WaveFlowException($"forward: {mel.shape[2]} mel frames cover {spect.shape[2]} samples, audio has {samples}");
        spect = Squeeze.Mel(spect.narrow(2, 0, samples), g);   // (B, n_mel·g, T/g)
        var x = Squeeze.Audio(audio, g);                        // (B, g, T/g)

        var outputs = new List<Tensor>();
        Tensor? logSSum = null, logDetSum = null;
        for (int k = 0; k < Options.NFlows; k++)
        {
            if (IsEarlyExit(k))
            {
                outputs.Add(x.narrow(1, 0, Options.NEarlySize));
                x = x.narrow(1, Options.NEarlySize, x.shape[1] - Options.NEarlySize);
            }
            var (mixed, logDetW) = convinv[k].forward(x);
            logDetSum = logDetSum is null ? logDetW : logDetSum + logDetW;

            long half = mixed.shape[1] / 2;
            bool swap = SwapsHalves(k);
            var x0 = mixed.narrow(1, swap ? half : 0, half);    // (B, c/2, T/g): what WN reads
            var x1 = mixed.narrow(1, swap ? 0 : half, half);    // what the coupling transforms
            var wnOut = wn[k].forward(x0, spect);
            Tensor y1;
            if (Options.Coupling == Couplings.Additive) y1 = AdditiveCoupling.Forward(x1, wnOut);   // log-det 0
            else
            {
                (y1, var logS) = AffineCoupling.Forward(x1, wnOut);
                logSSum = logSSum is null ? logS.sum() : logSSum + logS.sum();
            }
            x = swap ? cat([y1, x0], 1) : cat([x0, y1], 1);     // (B, c, T/g)
        }
        outputs.Add(x);
        var z = cat(outputs, 1);                                // (B, g, T/g)
        logSSum ??= zeros([], dtype: z.dtype is ScalarType.Float16 or ScalarType.BFloat16 ? ScalarType.Float32 : z.dtype, device: z.device);
        if (prior_log_scale is not null)
        {
            // The scaling layer's log-det, Σ_c s_c per time step and batch element, is a log-scale
            // term like the couplings' log s: it joins LogSSum, and so the loss and the NLL.
            z = z * prior_log_scale.exp();
            logSSum = logSSum + prior_log_scale.sum() * (z.shape[0] * z.shape[2]);
        }
        return (z.MoveToOuterDisposeScope(), logSSum!.MoveToOuterDisposeScope(), logDetSum!.MoveToOuterDisposeScope());
    }

    /// <summary>
    /// z (B, n_group, T/n_group) laid out as <see cref="Forward"/> returns it, mel (B, n_mel, F)
    /// → audio (B, T). For NVIDIA's infer(mel, sigma), pass z = sigma·ε with T = F·hop. This is
    /// the reference inverse, step for step as glow.py's infer, and the one that keeps autograd's
    /// graph; synthesis runs a faster <see cref="IFlowInverse"/> of the same function, chosen once
    /// when the model is loaded for synthesis (Inference/: <c>FlowInverse.ForSynthesis</c>).
    /// The caller owns the result.
    /// </summary>
    public Tensor Inverse(Tensor z, Tensor mel)
    {
        using var scope = NewDisposeScope();
        long samples = InverseSamples(z);
        z = UnscalePrior(z);
        var spect = UpsampleForInverse(mel, samples);                          // (B, n_mel·g, T/g)
        return InverseFlows(z, (k, x0) => wn[k].forward(x0, spect)).MoveToOuterDisposeScope();   // (B, T)
    }

    WaveGlow IFlowInverse.Model => this;

    /// <summary>The samples z (B, n_group, T/n_group) stands for, T, after checking its groups.</summary>
    internal long InverseSamples(Tensor z)
    {
        int g = Options.NGroup;
        if (z.shape[1] != g)
            throw new WaveFlowException($"inverse: z has {z.shape[1]} channels, n_group is {g}");
        return z.shape[2] * g;
    }

    /// <summary>z divided by the prior scale (z itself when the model has none).</summary>
    internal Tensor UnscalePrior(Tensor z) => prior_log_scale is null ? z : z / prior_log_scale.exp();

    /// <summary>mel (B, n_mel, F) → the upsampled mel for <paramref name="samples"/> samples, grouped (B, n_mel·g, T/g).</summary>
    internal Tensor UpsampleForInverse(Tensor mel, long samples)
    {
        var spect = upsample.forward(mel);            // (B, n_mel, (F−1)·hop + filter)
        // The transposed convolution's last filter − hop samples only see the tail of the last
        // frame's window; NVIDIA trims them, leaving F·hop samples.
        long usable = spect.shape[2] - (Mel.FilterLength - Mel.HopLength);
        if (usable < samples)
            throw new WaveFlowException($"inverse: {mel.shape[2]} mel frames give {usable} samples, z asks for {samples}");
        return Squeeze.Mel(spect.narrow(2, 0, samples), Options.NGroup);   // (B, n_mel·g, T/g)
    }

    /// <summary>The mel upsampler (the phase fold reads its taps).</summary>
    internal MelUpsampler Upsampler => upsample;

    /// <summary>Flow <paramref name="k"/>'s WN.</summary>
    internal WN Block(int k) => wn[k];

    /// <summary>
    /// The inverse flow steps, last to first, on z (B, n_group, T/g) already divided by the prior
    /// scale; <paramref name="wnOf"/>(k, x0) is flow k's WN output for its untouched half. → (B, T).
    /// </summary>
    internal Tensor InverseFlows(Tensor z, Func<int, Tensor, Tensor> wnOf)
    {
        int g = Options.NGroup;
        int earlyEnd = g - Options.NRemainingChannels;
        var x = z.narrow(1, earlyEnd, Options.NRemainingChannels);   // (B, remaining, T/g)
        for (int k = Options.NFlows - 1; k >= 0; k--)
        {
            long half = x.shape[1] / 2;
            bool swap = SwapsHalves(k);
            var x0 = x.narrow(1, swap ? half : 0, half);        // (B, c/2, T/g)
            var y1 = x.narrow(1, swap ? 0 : half, half);
            var wnOut = wnOf(k, x0);
            var x1 = Options.Coupling == Couplings.Additive ? AdditiveCoupling.Inverse(y1, wnOut) : AffineCoupling.Inverse(y1, wnOut);
            x = convinv[k].Inverse(swap ? cat([x1, x0], 1) : cat([x0, x1], 1));   // (B, c, T/g)
            if (IsEarlyExit(k))
            {
                earlyEnd -= Options.NEarlySize;
                x = cat([z.narrow(1, earlyEnd, Options.NEarlySize), x], 1);
            }
        }
        return Squeeze.UnsqueezeAudio(x);  // (B, T)
    }

    /// <summary>Folds every weight norm into plain weights (inference only).</summary>
    public void FoldWeightNorm()
    {
        foreach (var block in wn) block.FoldWeightNorm();
    }

    /// <summary>The flows' channel mixings (1x1 convolutions by default), in flow order.</summary>
    public IReadOnlyList<ChannelMixing> Convinv => convinv.ToList();
}
