using System.Globalization;
using System.Reflection;
using System.Text.Json;
using Google.Protobuf;
using WaveFlow.Core;
using WaveFlow.Core.IO;
using WaveFlow.Vocoder;
using WaveFlow.Vocoder.Checkpoints;
using WaveFlow.Vocoder.Synthesis;
using WaveFlow.Onnx.Export.Proto;
using static TorchSharp.torch;

namespace WaveFlow.Onnx.Export;

/// <summary>
/// Writes the synthesis graph of a loaded WaveGlow as ONNX: NVIDIA's infer with the noise as an
/// input, audio = inverse(z, mel), for any flow variant the model supports (affine or additive
/// coupling, 1x1 / LU / permutation mixing, prior scale, alternating halves). Weight norm is
/// folded; each mixing's inverse is computed once in float64 and stored as a 1x1 convolution.
/// The denoiser is not in the graph. The frame count is dynamic (one graph for any length).
/// </summary>
internal static class WaveGlowOnnxExporter
{
    /// <summary>Exports <paramref name="loaded"/> (its weight norm is folded in place) to <paramref name="path"/>, atomically.</summary>
    public static void Export(LoadedModel loaded, string path, bool half)
    {
        var model = Build(loaded, half);
        AtomicFile.Write(path, stream => model.WriteTo(stream));
    }

    /// <summary>The ONNX model of <paramref name="loaded"/>.</summary>
    public static ModelProto Build(LoadedModel loaded, bool half)
    {
        var o = loaded.Options;
        var mel = loaded.Mel;
        if (mel.HopLength % o.NGroup != 0)
            throw new WaveFlowException($"export: hop_length {mel.HopLength} is not a multiple of n_group {o.NGroup}; the exported graph's z would not align with the mel frames");
        loaded.Model.FoldWeightNorm();
        var state = StateDict.Export(loaded.Model);
        var used = new HashSet<string>(StringComparer.Ordinal);
        FloatArray Take(string key)
        {
            if (!state.TryGetValue(key, out var a)) throw new WaveFlowException($"export: the model has no tensor {key}");
            used.Add(key);
            return a;
        }

        var b = new OnnxGraphBuilder("waveglow_infer", half);
        const int Float = (int)TensorProto.Types.DataType.Float;
        b.Input(OnnxModelFormat.MelInput, Float, "batch", o.NMelChannels, "frames");
        b.Input(OnnxModelFormat.NoiseInput, Float, "batch", o.NGroup, "steps");
        string melIn = OnnxModelFormat.MelInput, z = OnnxModelFormat.NoiseInput;
        if (half)
        {
            // float32 in and out; inside, every weight and product is float16.
            melIn = b.Node("Cast", "mel_fp16", [melIn], OnnxGraphBuilder.Int("to", b.ComputeType));
            z = b.Node("Cast", "z_fp16", [z], OnnxGraphBuilder.Int("to", b.ComputeType));
        }

        // The upsampler: NVIDIA's ConvTranspose1d(n_mel, n_mel, filter_length, stride hop), weight (in, out, K).
        var upW = Take("upsample.weight");
        var spect = b.Node("ConvTranspose", "upsample", [melIn, b.Weight("upsample.weight", upW.Data, upW.Shape), Bias(b, Take("upsample.bias"), "upsample.bias")],
            OnnxGraphBuilder.Ints("strides", mel.HopLength));                                                    // (B, n_mel, (F−1)·hop + K)
        // Keep the first steps·g samples (NVIDIA trims the transposed convolution's tail).
        var steps = b.Node("Shape", "z_steps", [z], OnnxGraphBuilder.Int("start", 2), OnnxGraphBuilder.Int("end", 3));   // [S]
        var samples = b.Node("Mul", "samples", [steps, b.Int64s("n_group", o.NGroup)]);                                 // [S·g]
        spect = b.Node("Slice", "upsample_trim", [spect, b.Int64s("zero", 0), samples, b.Int64s("axis2", 2)]);        // (B, n_mel, S·g)
        // Squeeze: channel c·g + j at step t is spect[c, t·g + j].
        spect = b.Node("Reshape", "mel_groups", [spect, b.Int64s("mel_groups_shape", 0, o.NMelChannels, -1, o.NGroup)]);   // (B, n_mel, S, g)
        spect = b.Node("Transpose", "mel_groups_t", [spect], OnnxGraphBuilder.Ints("perm", 0, 1, 3, 2));                   // (B, n_mel, g, S)
        spect = b.Node("Reshape", "mel_squeezed", [spect, b.Int64s("mel_squeezed_shape", 0, (long)o.NMelChannels * o.NGroup, -1)]);   // (B, n_mel·g, S)

        if (state.ContainsKey("prior_log_scale"))
        {
            var s = Take("prior_log_scale");
            var scale = b.Node("Exp", "prior_scale", [b.Weight("prior_log_scale", s.Data, s.Shape)]);   // (1, g, 1)
            z = b.Node("Div", "z_unscaled", [z, scale]);
        }

        int earlyEnd = o.NGroup - o.NRemainingChannels;
        var x = b.Node("Slice", "z_last", [z, b.Int64s("start", earlyEnd), b.Int64s("end", o.NGroup), b.Int64s("axis1", 1)]);   // (B, remaining, S)
        for (int k = o.NFlows - 1; k >= 0; k--)
        {
            int channels = o.ChannelsAtFlow(k), half2 = channels / 2;
            bool swap = o.AlternatingHalves && k % 2 == 1;
            var halves = b.Node("Split", $"flow{k}.split", [x, b.Int64s($"flow{k}.halves", half2, half2)], 2, OnnxGraphBuilder.Int("axis", 1));
            string x0 = swap ? halves[1] : halves[0], y1 = swap ? halves[0] : halves[1];              // (B, c/2, S) each
            var wnOut = WN(b, k, x0, spect, o, Take);
            string x1;
            if (o.Coupling == Couplings.Additive) x1 = b.Node("Sub", $"flow{k}.coupling", [y1, wnOut]);
            else
            {
                var bs = b.Node("Split", $"flow{k}.b_logs", [wnOut, b.Int64s($"flow{k}.b_logs_sizes", half2, half2)], 2, OnnxGraphBuilder.Int("axis", 1));
                // (y1 − b) / exp(log s), as NVIDIA writes it.
                x1 = b.Node("Div", $"flow{k}.coupling", [b.Node("Sub", $"flow{k}.y1_minus_b", [y1, bs[0]]), b.Node("Exp", $"flow{k}.s", [bs[1]])]);
            }
            var joined = b.Node("Concat", $"flow{k}.join", swap ? [x1, x0] : [x0, x1], OnnxGraphBuilder.Int("axis", 1));   // (B, c, S)
            var inverse = MixingInverse(loaded.Model.Convinv[k], channels);
            foreach (var key in state.Keys.Where(n => n.StartsWith($"convinv.{k}.", StringComparison.Ordinal))) used.Add(key);
            x = b.Node("Conv", $"flow{k}.convinv_inverse", [joined, b.Weight($"convinv.{k}.inverse", inverse, channels, channels, 1)]);
            if (k > 0 && k % o.NEarlyEvery == 0)
            {
                earlyEnd -= o.NEarlySize;
                var early = b.Node("Slice", $"flow{k}.z_early", [z, b.Int64s("start", earlyEnd), b.Int64s("end", earlyEnd + o.NEarlySize), b.Int64s("axis1", 1)]);
                x = b.Node("Concat", $"flow{k}.with_early", [early, x], OnnxGraphBuilder.Int("axis", 1));
            }
        }
        var audio = b.Node("Transpose", "audio_t", [x], OnnxGraphBuilder.Ints("perm", 0, 2, 1));                  // (B, S, g)
        audio = b.Node("Reshape", half ? "audio_fp16" : OnnxModelFormat.AudioOutput, [audio, b.Int64s("audio_shape", 0, -1)]);   // (B, S·g)
        if (half) audio = b.Node("Cast", OnnxModelFormat.AudioOutput, [audio], OnnxGraphBuilder.Int("to", Float));
        if (audio != OnnxModelFormat.AudioOutput) throw new InvalidOperationException($"the output is named {audio}");
        b.Output(OnnxModelFormat.AudioOutput, Float, "batch", "samples");

        // Anything in the state dict the graph did not use is a model feature this exporter does not know.
        var unknown = state.Keys.Where(k => !used.Contains(k)).Order(StringComparer.Ordinal).ToList();
        if (unknown.Count > 0)
            throw new WaveFlowException($"export: the model has {unknown.Count} tensor(s) the ONNX exporter does not support (first: {unknown[0]}); export a model without that option");

        var metadata = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [OnnxModelFormat.FormatKey] = OnnxModelFormat.Format,
            [OnnxModelFormat.VersionKey] = OnnxModelFormat.Version.ToString(CultureInfo.InvariantCulture),
            [OnnxModelFormat.ModelConfigKey] = o.ToJson(),
            [OnnxModelFormat.MelConfigKey] = JsonSerializer.Serialize(mel),
            [OnnxModelFormat.PrecisionKey] = half ? "fp16" : "fp32",
            [OnnxModelFormat.ContextFramesKey] = ReceptiveField.ContextFrames(o, mel).ToString(CultureInfo.InvariantCulture),
            [OnnxModelFormat.StepKey] = loaded.Step.ToString(CultureInfo.InvariantCulture),
            [OnnxModelFormat.SourceKey] = loaded.Kind,
        };
        string version = typeof(WaveGlowOnnxExporter).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0";
        return b.Model(OnnxModelFormat.IrVersion, OnnxModelFormat.Opset, version,
            "WaveGlow synthesis (NVIDIA's infer with the noise as input): audio = inverse(z, mel); z = sigma * N(0, 1) in the layout (batch, n_group, frames * hop / n_group)",
            metadata);
    }

    /// <summary>Flow <paramref name="k"/>'s WN on x0 (B, c/2, S) and the squeezed mel (B, n_mel·g, S) → (B, nOut, S).</summary>
    private static string WN(OnnxGraphBuilder b, int k, string x0, string spect, WaveGlowOptions o, Func<string, FloatArray> take)
    {
        string p = $"WN.{k}.";
        int c = o.WN.NChannels, layers = o.WN.NLayers;
        string Conv(string input, string layer, string name, params Export.Proto.AttributeProto[] attributes)
        {
            var w = take(p + layer + ".weight");
            return b.Node("Conv", $"flow{k}.{name}", [input, b.Weight(p + layer + ".weight", w.Data, w.Shape), Bias(b, take(p + layer + ".bias"), p + layer + ".bias")], attributes);
        }
        var audio = Conv(x0, "start", "start");                                                  // (B, C, S)
        // One 1x1 convolution conditions every layer: 2C rows per layer, split here.
        var cond = Conv(spect, "cond_layer", "cond");                                            // (B, 2·C·L, S)
        var conds = layers == 1 ? [cond] : b.Node("Split", $"flow{k}.cond_split", [cond, b.Int64s($"flow{k}.cond_sizes", Enumerable.Repeat(2L * c, layers).ToArray())], layers, OnnxGraphBuilder.Int("axis", 1));
        string? output = null;
        for (int i = 0; i < layers; i++)
        {
            long dilation = 1L << i, padding = (o.WN.KernelSize * dilation - dilation) / 2;
            var inAct = b.Node("Add", $"flow{k}.layer{i}.in_act", [Conv(audio, $"in_layers.{i}", $"layer{i}.in",
                OnnxGraphBuilder.Ints("dilations", dilation), OnnxGraphBuilder.Ints("pads", padding, padding)), conds[i]]);   // (B, 2C, S)
            var gate = b.Node("Split", $"flow{k}.layer{i}.gate_split", [inAct, b.Int64s($"flow{k}.layer{i}.gate_sizes", c, c)], 2, OnnxGraphBuilder.Int("axis", 1));
            var acts = b.Node("Mul", $"flow{k}.layer{i}.acts", [b.Node("Tanh", $"flow{k}.layer{i}.tanh", [gate[0]]), b.Node("Sigmoid", $"flow{k}.layer{i}.sigmoid", [gate[1]])]);   // (B, C, S)
            var resSkip = Conv(acts, $"res_skip_layers.{i}", $"layer{i}.res_skip");              // (B, 2C or C, S)
            string skip = resSkip;
            if (i < layers - 1)
            {
                var rs = b.Node("Split", $"flow{k}.layer{i}.res_skip_split", [resSkip, b.Int64s($"flow{k}.layer{i}.res_skip_sizes", c, c)], 2, OnnxGraphBuilder.Int("axis", 1));
                audio = b.Node("Add", $"flow{k}.layer{i}.residual", [audio, rs[0]]);
                skip = rs[1];
            }
            output = output is null ? skip : b.Node("Add", $"flow{k}.layer{i}.skip_sum", [output, skip]);
        }
        return Conv(output!, "end", "end");                                                       // (B, nOut, S)
    }

    private static string Bias(OnnxGraphBuilder b, FloatArray bias, string name) => b.Weight(name, bias.Data, bias.Shape);

    /// <summary>
    /// The inverse of a channel mixing as a (c, c) matrix, row-major: the mixing's own
    /// <see cref="ChannelMixing.Inverse"/> applied to the identity in float64 (column t of the result
    /// is W⁻¹·e_t), so every kind of mixing (1x1, LU, permutation) gives its exact inverse, inverted
    /// in float64 as the libtorch path does, and rounded once to float32.
    /// </summary>
    private static float[] MixingInverse(ChannelMixing mixing, int channels)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var device = mixing.parameters().FirstOrDefault()?.device ?? CPU;
        var identity = eye(channels, dtype: ScalarType.Float64, device: device).unsqueeze(0);   // (1, c, c)
        var inverse = mixing.Inverse(identity).squeeze(0).to(ScalarType.Float32, CPU).contiguous();   // (c, c)
        return inverse.data<float>().ToArray();
    }
}
