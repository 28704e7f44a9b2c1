using TorchSharp;
using WaveFlow.Vocoder;
using WaveFlow.Vocoder.Synthesis;
using static TorchSharp.torch;

namespace WaveFlow.Evaluation.Benchmarks;

/// <summary>
/// Synthesis speed and memory: a random log-mel of the requested length and σ = 0.6 noise,
/// through an <see cref="IFlowInverse"/> (whole utterance) or <see cref="ChunkedInference"/>.
/// The content does not matter for speed: every operation's cost depends on shapes alone.
/// </summary>
internal static class SynthesisBenchmark
{
    /// <summary>A seeded random mel (1, n_mel, F) for <paramref name="seconds"/> of audio and its noise (1, g, F·hop/g).</summary>
    public static (Tensor Mel, Tensor Z) Inputs(WaveGlow model, double seconds, int batch, ScalarType dtype, Device device, long seed = 1)
    {
        using var scope = NewDisposeScope();
        using var gen = new Generator((ulong)seed);
        int hop = model.Mel.HopLength, g = model.Options.NGroup;
        long frames = Math.Max(1, (long)Math.Round(seconds * model.Mel.SamplingRate / hop));
        var mel = randn([batch, model.Options.NMelChannels, frames], generator: gen) - 5.0;     // (B, n_mel, F)
        var z = randn([batch, g, frames * hop / g], generator: gen) * 0.6;                        // (B, g, F·hop/g)
        return (mel.to(dtype, device).MoveToOuterDisposeScope(), z.to(dtype, device).MoveToOuterDisposeScope());
    }

    /// <summary>
    /// Times synthesis of <paramref name="seconds"/> of audio (median of repeats after warm-up)
    /// and records the peak host memory (and device memory on CUDA) over the whole case.
    /// </summary>
    public static BenchRow Run(IFlowInverse flow, string name, double seconds, int batch, Precision precision,
        Device device, int warmUp, int repeats, int? chunkFrames = null, string? note = null)
    {
        var model = flow.Model;
        var (mel, z) = Inputs(model, seconds, batch, precision.Dtype(), device);
        using var _m = mel;
        using var _z = z;
        using var memory = HostMemory.Begin();
        var timing = Timing.Measure(() =>
        {
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            _ = chunkFrames is { } c ? ChunkedInference.Infer(flow, mel, z, c) : flow.Inverse(z, mel);
        }, warmUp, repeats, device);
        long samples = z.shape[0] * z.shape[1] * z.shape[2];
        double audioSeconds = (double)z.shape[1] * z.shape[2] / model.Mel.SamplingRate;
        double medianS = timing.MedianMs / 1000;
        return new BenchRow(name, device.ToString(), precision.ToString().ToLowerInvariant(), audioSeconds, batch,
            timing.MedianMs, timing.MinMs, samples / medianS / 1000, audioSeconds * batch / medianS,
            memory.PeakBytes, memory.StartBytes, DeviceBytes(device), timing.Milliseconds, note, timing.MedianCpuMs);
    }

    /// <summary>
    /// Chunked against whole-utterance synthesis of the same input: relative L2 error over all
    /// samples, and the largest |error| within one hop of a seam, with the largest |sample|.
    /// </summary>
    public static (double RelativeL2, double SeamMaxAbs, double PeakAbs) ChunkedError(IFlowInverse flow, double seconds, int chunkFrames, Device device)
    {
        var model = flow.Model;
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var (mel, z) = Inputs(model, seconds, 1, ScalarType.Float32, device, seed: 2);
        var whole = flow.Inverse(z, mel).to(ScalarType.Float64);              // (1, T)
        var chunked = ChunkedInference.Infer(flow, mel, z, chunkFrames).to(ScalarType.Float64);
        var diff = (chunked - whole).abs().squeeze(0);                          // (T)
        double rel = ((chunked - whole).norm() / whole.norm()).item<double>();
        long hop = model.Mel.HopLength, step = chunkFrames * hop, length = diff.shape[0];
        double seam = 0;
        for (long s = step; s < length; s += step)
        {
            long a = Math.Max(0, s - hop), b = Math.Min(length, s + hop);
            seam = Math.Max(seam, diff.narrow(0, a, b - a).max().item<double>());
        }
        return (rel, seam, whole.abs().max().item<double>());
    }

    /// <summary>
    /// Relative L2 distance between a low-precision model's audio and the fp32 model's, for the
    /// same mel and noise (each given in its model's dtype).
    /// </summary>
    public static double PrecisionError(IFlowInverse low, IFlowInverse fp32, double seconds, Device device)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var (mel, z) = Inputs(fp32.Model, seconds, 1, ScalarType.Float32, device, seed: 3);
        var dtype = low.Model.parameters().First().dtype;
        var reference = fp32.Inverse(z, mel).to(ScalarType.Float64);
        var audio = low.Inverse(z.to(dtype), mel.to(dtype)).to(ScalarType.Float64);
        return ((audio - reference).norm() / reference.norm()).item<double>();
    }

    internal static long? DeviceBytes(Device device) =>
        device.type == DeviceType.CUDA ? DeviceMemory.UsedBytes(device.index < 0 ? 0 : device.index) : null;
}
