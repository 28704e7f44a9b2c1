using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace WaveFlow.Vocoder;

/// <summary>
/// NVIDIA's WN: the WaveNet-like network that reads the untouched half of the channels and the
/// upsampled mel and predicts the coupling's (b, log s). Dilated convolutions with dilation 2^i,
/// a gated tanh·sigmoid unit, residual and skip connections. Unlike WaveNet it is not causal
/// (padding on both sides): the whole waveform is known in both directions of the flow.
/// </summary>
public sealed partial class WN : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly int nLayers;
    private readonly int nChannels;
    private readonly int kernelSize;
    private readonly ModuleList<WeightNormConv1d> in_layers;
    private readonly ModuleList<WeightNormConv1d> res_skip_layers;
    private readonly WeightNormConv1d start;
    private readonly Conv1d end;
    private readonly WeightNormConv1d cond_layer;

    /// <param name="nInChannels">channels of the untouched half (audio_0)</param>
    /// <param name="nMelChannels">channels of the squeezed mel: n_mel · n_group</param>
    /// <param name="options">n_layers, n_channels, kernel_size</param>
    /// <param name="nOutChannels">2·nInChannels for affine coupling (b and log s, the default), nInChannels for additive</param>
    public WN(int nInChannels, int nMelChannels, WNOptions options, int? nOutChannels = null) : base(nameof(WN))
    {
        nLayers = options.NLayers;
        nChannels = options.NChannels;
        kernelSize = options.KernelSize;
        in_layers = new ModuleList<WeightNormConv1d>();
        res_skip_layers = new ModuleList<WeightNormConv1d>();
        start = new WeightNormConv1d(nInChannels, nChannels);

        // The last layer starts at zero, so every coupling begins as the identity (b = 0,
        // log s = 0): the untrained flow is a stack of 1x1 convolutions and training starts
        // from a well-conditioned, exactly invertible map instead of random affine transforms.
        using (var scope = NewDisposeScope())
        using (no_grad())
        {
            // (In a scope because TorchSharp's Conv1d constructor leaves its bias initialiser's
            // result undisposed; the parameters themselves are kept.)
            end = nn.Conv1d(nChannels, nOutChannels ?? 2 * nInChannels, 1);
            end.weight!.zero_();
            end.bias!.zero_();
            end.weight.DetachFromDisposeScope();
            end.bias.DetachFromDisposeScope();
        }

        // One 1x1 convolution produces the conditioning of all layers at once (2·n_channels per
        // layer); layer i takes its slice. Cheaper than n_layers separate convolutions and
        // the same function (NVIDIA's older checkpoints had one per layer: cond_layers.i).
        cond_layer = new WeightNormConv1d(nMelChannels, 2L * nChannels * nLayers);

        for (int i = 0; i < nLayers; i++)
        {
            int dilation = 1 << i;
            // "same" padding for an odd kernel with this dilation: the output keeps the length.
            int padding = (options.KernelSize * dilation - dilation) / 2;
            in_layers.Add(new WeightNormConv1d(nChannels, 2 * nChannels, options.KernelSize, dilation, padding));
            // The last layer's output only feeds the skip sum; it needs no residual half.
            int resSkipChannels = i < nLayers - 1 ? 2 * nChannels : nChannels;
            res_skip_layers.Add(new WeightNormConv1d(nChannels, resSkipChannels));
        }
        RegisterComponents();
    }

    /// <summary>audio (B, n_half, T') and spect (B, n_mel·n_group, T') → (B, nOut, T').</summary>
    public override Tensor forward(Tensor audio, Tensor spect)
    {
        using var scope = NewDisposeScope();
        return ForwardConditioned(audio, cond_layer.forward(spect)).MoveToOuterDisposeScope();   // cond (B, 2·n_channels·n_layers, T')
    }

    /// <summary>The conditioning layer (1x1, n_mel·n_group → 2·n_channels·n_layers).</summary>
    internal WeightNormConv1d CondLayer => cond_layer;

    /// <summary>
    /// <see cref="forward"/> with cond_layer(spect) already computed, (B, 2·n_channels·n_layers, T'):
    /// lets WaveGlow compute every flow's conditioning in one product (see FusedConditioning.cs).
    /// </summary>
    internal Tensor ForwardConditioned(Tensor audio, Tensor spect)
    {
        using var scope = NewDisposeScope();
        var callerDtype = audio.dtype;
        audio = start.forward(audio);                 // (B, n_channels, T')
        Tensor? output = null;
        for (int i = 0; i < nLayers; i++)
        {
            long offset = 2L * i * nChannels;
            var inAct = in_layers[i].forward(audio) + spect.narrow(1, offset, 2L * nChannels);
            // Gated activation unit: tanh of the first half times sigmoid of the second.
            var acts = inAct.narrow(1, 0, nChannels).tanh() * inAct.narrow(1, nChannels, nChannels).sigmoid();
            var resSkip = res_skip_layers[i].forward(acts);
            if (i < nLayers - 1)
            {
                audio = audio + resSkip.narrow(1, 0, nChannels);
                var skip = resSkip.narrow(1, nChannels, nChannels);
                output = output is null ? skip : output + skip;
            }
            else
            {
                output = output is null ? resSkip : output + resSkip;
            }
        }
        // Under Autocast the layers above computed in low precision; the coupling that consumes
        // this output (exp(log s), Σ log s) gets it back in the caller's dtype.
        var result = ConvAsProducts.Conv1d(Autocast.Cast(output!), Autocast.Cast(end.weight!), Autocast.Cast(end.bias!));   // (B, nOut, T')
        if (result.dtype != callerDtype) result = result.to(callerDtype);
        return result.MoveToOuterDisposeScope();
    }

    /// <summary>Folds every weight-normalised convolution (inference).</summary>
    public void FoldWeightNorm()
    {
        start.Fold();
        cond_layer.Fold();
        foreach (var l in in_layers) l.Fold();
        foreach (var l in res_skip_layers) l.Fold();
    }
}
