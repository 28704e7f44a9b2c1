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
internal sealed class WN : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly int nLayers;
    private readonly int nChannels;
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

    /// <summary>audio (n_half, T'), the workspace holding the squeezed mel → (nOut, T').</summary>
    /// <remarks>
    /// WN for synthesis: the same function as <see cref="WN.forward"/>, for one batch element without
    /// autograd, computed in the preallocated buffers of an <see cref="InferenceWorkspace"/>:
    /// <list type="bullet">
    /// <item>the conditioning is not computed for all layers at once (a 2·C·L × T' tensor per flow,
    /// 4,096 × T' for NVIDIA's model): each layer's 2C rows of cond_layer are multiplied into that
    /// layer's pre-activation, with the same multiply-adds and no big temporary;</item>
    /// <item>the dilated convolution is one product of the (2C, C·K) weight, as stored, with the
    /// K shifted copies of the residual stream (<see cref="InferenceWorkspace.FillTaps"/>);</item>
    /// <item>the gate runs in place, and the res/skip product accumulates straight into the residual
    /// stream and the skip sum (addmm_ with β = 1), so there is no separate residual or skip add;</item>
    /// <item>the in_layer and cond_layer biases are added once, as the pre-activation's start value;
    /// the skip biases are summed into end's bias (below).</item>
    /// </list>
    /// The sums are ordered differently from <see cref="WN.forward"/>, so results differ by float
    /// rounding only (tested against it).
    /// </remarks>
    internal Tensor Infer(Tensor audio, InferenceWorkspace ws, PhaseFold? fold = null)
    {
        using var scope = NewDisposeScope();
        long c = nChannels, steps = ws.Steps;
        var state = ws.State;
        var residual = state.narrow(0, 0, c);                                       // (C, T')
        var skip = state.narrow(0, c, c);                                           // (C, T')
        var startW = start.EffectiveWeight();                                       // (C, n_half, 1)
        residual.copy_(start.BiasTensor.view(c, 1).expand(c, steps));
        residual.addmm_(startW.view(c, -1), audio, 1, 1);
        skip.zero_();

        var condW = cond_layer.EffectiveWeight();                                   // (2·C·L, n_mel·g, 1)
        var condB = cond_layer.BiasTensor;                                          // (2·C·L)
        var inAct = ws.InAct;                                                       // (2C, T')
        Tensor? skipBias = null;                                                    // Σ of the skip biases, (C), float32
        var tanhHalf = inAct.narrow(0, 0, c);
        var sigmoidHalf = inAct.narrow(0, c, c);
        for (int i = 0; i < nLayers; i++)
        {
            ws.FillTaps(1L << i);
            long offset = 2L * i * c;
            if (fold is not null)
            {
                // The mel upsampler and this layer's rows of cond_layer as one product (PhaseFold).
                ws.FoldedConditioning(fold.Weights[i], in_layers[i].BiasTensor + fold.Bias[i], fold.Phases);
            }
            else
            {
                var bias = in_layers[i].BiasTensor + condB.narrow(0, offset, 2 * c);    // (2C)
                inAct.copy_(bias.view(2 * c, 1).expand(2 * c, steps));
                inAct.addmm_(condW.narrow(0, offset, 2 * c).view(2 * c, -1), ws.Spect!, 1, 1);
            }
            inAct.addmm_(in_layers[i].EffectiveWeight().view(2 * c, -1), ws.Taps, 1, 1);   // (2C, C·K)·(C·K, T')
            // Gated activation unit in place: rows [0, C) become tanh(·)·sigmoid(·).
            var acts = ws.TanhInPlace(tanhHalf).mul_(sigmoidHalf.sigmoid_());                // (C, T')
            var resSkipW = res_skip_layers[i].EffectiveWeight();
            var resSkipB = res_skip_layers[i].BiasTensor;
            if (i < nLayers - 1)
            {
                // Rows [0, C) of the product are the residual, [C, 2C) the skip: the State layout.
                state.addmm_(resSkipW.view(2 * c, -1), acts, 1, 1);
                residual.add_(resSkipB.narrow(0, 0, c).view(c, 1));
                skipBias = Accumulate(skipBias, resSkipB.narrow(0, c, c));
            }
            else
            {
                // The last layer has the skip half only.
                skip.addmm_(resSkipW.view(c, -1), acts, 1, 1);
                skipBias = Accumulate(skipBias, resSkipB);
            }
        }
        // The skip biases only ever reach the output through `end`, which is linear, so their sum
        // joins end's bias instead of being added to the skip sum layer by layer:
        // end(skip + Σb) = W_end·skip + (W_end·Σb + b_end).
        var endW = end.weight!.view(end.weight!.shape[0], -1);                       // (nOut, C)
        var endB = addmv(end.bias!.to(ScalarType.Float32), endW.to(ScalarType.Float32), skipBias!, 1, 1).to(endW.dtype);   // (nOut)
        return addmm(endB.view(-1, 1), endW, skip, 1, 1).MoveToOuterDisposeScope();   // (nOut, T')
    }

    /// <summary>sum + b in float32 (a bfloat16 model's biases are summed without rounding in between).</summary>
    private static Tensor Accumulate(Tensor? sum, Tensor b) =>
        sum is null ? b.to(ScalarType.Float32) : sum + b.to(ScalarType.Float32);

    /// <summary>This flow's cond_layer folded with the mel upsampler (see <see cref="PhaseFold"/>).</summary>
    internal PhaseFold FoldConditioning(PhaseFold.UpsamplerTaps upsampler)
    {
        using var scope = NewDisposeScope();   // the weight views; the fold's own tensors are detached
        return PhaseFold.Compute(upsampler, cond_layer.EffectiveWeight().squeeze(2), cond_layer.BiasTensor, nLayers);
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
