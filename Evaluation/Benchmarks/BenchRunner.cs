using TorchSharp;
using WaveFlow.Training.Config;
using WaveFlow.Vocoder;
using WaveFlow.Vocoder.Synthesis;
using static TorchSharp.torch;

namespace WaveFlow.Evaluation.Benchmarks;

/// <summary>Runs the cases of <see cref="BenchSettings"/> one after another, reporting each row.</summary>
internal static class BenchRunner
{
    /// <summary>
    /// Runs every case on <paramref name="device"/>. <paramref name="createModel"/> gives a fresh
    /// model on the CPU in fp32 with weight norm unfolded (random or loaded weights).
    /// </summary>
    public static List<BenchRow> Run(Func<WaveGlow> createModel, BenchSettings s, Device device, Action<string>? starting = null, Action<BenchRow>? done = null)
    {
        var rows = new List<BenchRow>();
        void Add(BenchRow row) { rows.Add(row); done?.Invoke(row); }
        var dtype = s.Precision.Dtype();
        if (s.Layers)
        {
            using var probe = createModel();
            foreach (var seconds in s.Seconds)
                foreach (var precision in s.Precision == Precision.Fp32 ? [Precision.Fp32] : new[] { Precision.Fp32, s.Precision })
                {
                    starting?.Invoke($"one WN layer's operations, {seconds} s, {precision.ToString().ToLowerInvariant()}");
                    foreach (var row in LayerBenchmark.Run(probe.Options, probe.Mel, seconds, precision, device, s.WarmUp, s.Repeats)) Add(row);
                }
            return rows;
        }

        if (!s.NoSynthesis)
        {
            using var model = createModel();
            model.to(device);
            if (dtype != ScalarType.Float32) model.to(dtype);
            model.eval();
            if (s.CompareUnfolded && !s.ChunkedOnly)
                foreach (var seconds in s.Seconds)
                {
                    starting?.Invoke($"synthesis {seconds} s, weight norm unfolded");
                    Add(SynthesisBenchmark.Run(new WorkspaceInverse(model), "synthesis, weight norm unfolded", seconds, s.SynthesisBatch, s.Precision, device, s.WarmUp, s.Repeats));
                }
            model.FoldWeightNorm();
            var flow = FlowInverse.ForSynthesis(model);   // as synthesis chooses it
            try
            {
                // Chunked first: on CUDA the caching allocator keeps what it reserved, so the driver's
                // figure after a phase is only that phase's if no bigger phase came before it.
                if (s.ChunkFrames is { } chunk)
                    foreach (var seconds in s.Seconds)
                    {
                        starting?.Invoke($"chunked synthesis {seconds} s");
                        string note = $"chunks of {chunk} frames, context {ReceptiveField.ContextFrames(model.Options, model.Mel)}";
                        Add(SynthesisBenchmark.Run(flow, "synthesis, chunked", seconds, s.SynthesisBatch, s.Precision, device, s.WarmUp, s.Repeats, chunk, note));
                        starting?.Invoke($"streamed synthesis {seconds} s (time to first audio)");
                        Add(StreamingBenchmark.Run(flow, seconds, chunk, s.Precision, device, s.WarmUp, s.Repeats));
                    }
                if (!s.ChunkedOnly)
                    foreach (var seconds in s.Seconds)
                    {
                        starting?.Invoke($"synthesis {seconds} s");
                        Add(SynthesisBenchmark.Run(flow, "synthesis", seconds, s.SynthesisBatch, s.Precision, device, s.WarmUp, s.Repeats));
                    }
                if (s.CompareUnfolded && !s.ChunkedOnly && flow is PhaseFoldedInverse)
                    foreach (var seconds in s.Seconds)
                    {
                        starting?.Invoke($"synthesis {seconds} s, conditioning not phase-folded");
                        Add(SynthesisBenchmark.Run(new WorkspaceInverse(model), "synthesis, conditioning not phase-folded", seconds, s.SynthesisBatch, s.Precision, device, s.WarmUp, s.Repeats));
                    }
                if (s.CompareFusedConditioning && !s.ChunkedOnly)
                {
                    using var fused = new FusedConditioningInverse(model);
                    foreach (var seconds in s.Seconds)
                    {
                        starting?.Invoke($"synthesis {seconds} s, fused conditioning");
                        Add(SynthesisBenchmark.Run(fused, "synthesis, fused conditioning", seconds, s.SynthesisBatch, s.Precision, device, s.WarmUp, s.Repeats));
                    }
                }
                if (s.Precision != Precision.Fp32)
                {
                    starting?.Invoke($"{s.Precision} vs fp32 error");
                    using var reference = createModel();
                    reference.to(device);
                    reference.eval();
                    reference.FoldWeightNorm();
                    var referenceFlow = FlowInverse.ForSynthesis(reference);
                    double seconds = s.Seconds.Min();
                    double rel = SynthesisBenchmark.PrecisionError(flow, referenceFlow, seconds, device);
                    FlowInverse.Release(referenceFlow);
                    Add(new BenchRow($"{s.Precision.ToString().ToLowerInvariant()} vs fp32 (error)", device.ToString(), s.Precision.ToString().ToLowerInvariant(), seconds, 1, 0, 0, 0, null, 0, 0, null, [],
                        $"relative L2 of the {s.Precision.ToString().ToLowerInvariant()} audio against fp32: {rel:G3}"));
                }
                if (s.ChunkFrames is { } c && !s.ChunkedOnly && s.Precision == Precision.Fp32)
                {
                    starting?.Invoke("chunked vs whole error");
                    double seconds = s.Seconds.Min();
                    var (rel, seam, peak) = SynthesisBenchmark.ChunkedError(flow, seconds, c, device);
                    Add(new BenchRow("chunked vs whole (error)", device.ToString(), "fp32", seconds, 1, 0, 0, 0, null, 0, 0, null, [],
                        $"relative L2 {rel:G3}, max |error| at seams {seam:G3} (peak |sample| {peak:G3})"));
                }
            }
            finally
            {
                FlowInverse.Release(flow);
            }
        }
        if (s.Train)
        {
            starting?.Invoke($"training step {s.TrainBatch} × {s.TrainSegment}");
            using var probe = createModel();
            Add(TrainingBenchmark.Run(probe.Options, probe.Mel, device, s.TrainBatch, s.TrainSegment, s.WarmUp, s.Repeats, s.Precision, s.TrainConfig));
        }
        return rows;
    }

    /// <summary>
    /// A freshly initialised WaveGlow has every WN's `end` at zero, so each coupling is the
    /// identity and chunked synthesis would be trivially exact. Small random `end` weights make
    /// the couplings real (same operations, so the same speed) for the error measurement.
    /// </summary>
    public static void RandomizeCouplings(nn.Module model, double std = 0.02, long seed = 5)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        using var gen = new Generator((ulong)seed);
        foreach (var (name, p) in model.named_parameters())
            if (name.Contains(".end.", StringComparison.Ordinal))
                p.add_(randn(p.shape, dtype: p.dtype, generator: gen).to(p.device) * std);
    }

    /// <summary>Parameters of a model (its state as created, weight norm unfolded).</summary>
    public static long ParameterCount(nn.Module model) => model.parameters().Sum(p => p.numel());

    /// <summary>
    /// TF32 for cuDNN convolutions and cuBLAS matrix products (PyTorch's defaults are on for
    /// cuDNN, off for matmul). TorchSharp 0.107 exposes both flags but not cudnn.benchmark;
    /// libtorch's algorithm choice then uses its heuristics (benchmark = false).
    /// </summary>
    public static void SetTf32(bool allow)
    {
        torch.backends.cudnn.allow_tf32 = allow;
        torch.backends.cuda.matmul.allow_tf32 = allow;
    }
}
