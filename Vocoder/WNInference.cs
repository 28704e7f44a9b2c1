using static TorchSharp.torch;

namespace WaveFlow.Vocoder;

/// <summary>
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
/// </summary>
public sealed partial class WN
{
    /// <summary>audio (n_half, T'), the workspace holding the squeezed mel → (nOut, T').</summary>
    internal Tensor Infer(Tensor audio, InferenceWorkspace ws)
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
            var bias = in_layers[i].BiasTensor + condB.narrow(0, offset, 2 * c);    // (2C)
            inAct.copy_(bias.view(2 * c, 1).expand(2 * c, steps));
            inAct.addmm_(condW.narrow(0, offset, 2 * c).view(2 * c, -1), ws.Spect, 1, 1);
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
}
