using TorchSharp;
using WaveFlow.Audio;
using WaveFlow.Vocoder;
using static TorchSharp.torch;

namespace WaveFlow.Evaluation.Benchmarks;

/// <summary>
/// A per-operator profile of synthesis (<c>waveflow bench --layers</c>): one WN layer's operations
/// as <see cref="WN.Infer"/> runs them, at the config's shapes for the requested audio length,
/// each timed alone. WN layers are nearly all of a WaveGlow's synthesis time (NVIDIA's model: 96
/// layers), so these rows say where the time goes and how close the products come to the
/// machine's peak (GFLOP/s in the note). TorchSharp binds no profiler; timing each operation in a
/// loop on the same buffers is the profile. Weights and inputs are random: speed depends on shapes.
/// </summary>
internal static class LayerBenchmark
{
    /// <summary>Calls of an operation per timed repeat: short operations need several to rise above the clock's resolution.</summary>
    private const int CallsPerRepeat = 10;

    /// <summary>The row of the phase-folded conditioning, the alternative to the conditioning product (not in the sum).</summary>
    private const string Folded = "phase-folded conditioning";

    /// <summary>The layer's operations in <paramref name="precision"/>, one row each, then their sum.</summary>
    public static List<BenchRow> Run(WaveGlowOptions options, MelOptions mel, double seconds, Precision precision,
        Device device, int warmUp, int repeats)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var dtype = precision.Dtype();
        int c = options.WN.NChannels, k = options.WN.KernelSize, condIn = options.NMelChannels * options.NGroup;
        long steps = Math.Max(1, (long)Math.Round(seconds * mel.SamplingRate / options.NGroup));   // T'
        using var gen = new Generator(7);
        Tensor Random(params long[] shape) => (randn(shape, generator: gen) * 0.1).to(dtype, device);

        var condW = Random(2L * c, condIn);                 // (2C, n_mel·g): the layer's rows of cond_layer
        var inW = Random(2L * c, (long)c * k);              // (2C, C·K): in_layer as stored
        var resSkipW = Random(2L * c, c);                   // (2C, C)
        var bias = Random(2L * c);
        var resBias = Random(c);
        using var ws = new InferenceWorkspace(Random(condIn, steps), c, k);
        ws.State.copy_(Random(2L * c, steps));
        var inAct = ws.InAct;                                // (2C, T')
        var tanhHalf = inAct.narrow(0, 0, c);
        var sigmoidHalf = inAct.narrow(0, c, c);
        var residual = ws.State.narrow(0, 0, c);
        double Flop(long m, long inner) => 2.0 * m * inner * steps;

        var operations = new (string Name, double Flop, Action Call)[]
        {
            ("conditioning product", Flop(2L * c, condIn), () => inAct.addmm_(condW, ws.Spect!, 1, 1)),
            ("dilated convolution product", Flop(2L * c, (long)c * k), () => inAct.addmm_(inW, ws.Taps, 1, 1)),
            ("res/skip product", Flop(2L * c, c), () => ws.State.addmm_(resSkipW, tanhHalf, 1, 1)),
            ("shifted copies", 0, () => ws.FillTaps(1)),
            ("gate tanh·sigmoid", 0, () => ws.TanhInPlace(tanhHalf).mul_(sigmoidHalf.sigmoid_())),
            ("bias start + residual bias", 0, () =>
            {
                inAct.copy_(bias.view(2L * c, 1).expand(2L * c, steps));
                residual.add_(resBias.view(c, 1));
            }),
        };
        // The conditioning as synthesis runs it when the upsampler is folded in (PhaseFold), for
        // whole frames: F = T'/P windows of J·n_mel values.
        int phases = mel.HopLength / options.NGroup, window = mel.FilterLength / mel.HopLength * options.NMelChannels;
        using var foldedWs = PhaseFold.Applies(options, mel) ? new InferenceWorkspace(Random(steps / phases, window), phases, c, k) : null;
        if (foldedWs is not null)
        {
            var foldedW = Random(window, 2L * c * phases);                          // (J·n_mel, 2C·P)
            operations = [.. operations[..1],
                (Folded, Flop(2L * c, window) * foldedWs.Steps / steps, () => foldedWs.FoldedConditioning(foldedW, bias, phases)),
                .. operations[1..]];
        }
        // The gate's tanh/sigmoid would saturate the same rows over many calls; refill them first.
        var fresh = Random(2L * c, steps);
        var rows = new List<BenchRow>();
        double sumMs = 0, sumCpu = 0, sumFlop = 0;
        string precisionName = precision.ToString().ToLowerInvariant();
        foreach (var (name, flop, call) in operations)
        {
            inAct.copy_(fresh);
            var timing = Timing.Measure(() =>
            {
                for (int i = 0; i < CallsPerRepeat; i++) call();
            }, warmUp, repeats, device);
            double ms = timing.MedianMs / CallsPerRepeat, cpu = timing.MedianCpuMs / CallsPerRepeat;
            if (name != Folded)
            {
                sumMs += ms;
                sumCpu += cpu;
                sumFlop += flop;
            }
            rows.Add(Row($"layer: {name}", ms, timing.MinMs / CallsPerRepeat, cpu, flop, timing.Milliseconds.Select(t => t / CallsPerRepeat).ToList(),
                device, precisionName, seconds, Shape(name, c, k, condIn)));
        }
        rows.Add(Row("layer: all of the above", sumMs, sumMs, sumCpu, sumFlop, [sumMs], device, precisionName, seconds,
            $"without the phase-folded row; × {options.NFlows * options.WN.NLayers} layers ≈ {sumMs * options.NFlows * options.WN.NLayers / 1000:F2} s for {seconds:G4} s of audio"));
        return rows;
    }

    private static string Shape(string name, int c, int k, int condIn) => name switch
    {
        "conditioning product" => $"({2 * c} × {condIn})·({condIn} × T')",
        Folded => $"(F × J·n_mel)·(J·n_mel × {2 * c}·P), laid out as ({2 * c} × T')",
        "dilated convolution product" => $"({2 * c} × {c * k})·({c * k} × T')",
        "res/skip product" => $"({2 * c} × {c})·({c} × T')",
        "shifted copies" => $"{k} × ({c} × T')",
        "gate tanh·sigmoid" => $"{c} × T' each",
        _ => $"{2 * c} + {c} rows × T'",
    };

    private static BenchRow Row(string name, double ms, double minMs, double cpuMs, double flop, IReadOnlyList<double> timesMs, Device device,
        string precision, double seconds, string detail)
    {
        string note = flop > 0 ? $"{detail}: {flop / (ms / 1000) / 1e9:F0} GFLOP/s" : detail;
        return new BenchRow(name, device.ToString(), precision, seconds, 1, ms, minMs, 0, null, 0, 0, null, timesMs, note, cpuMs);
    }
}
