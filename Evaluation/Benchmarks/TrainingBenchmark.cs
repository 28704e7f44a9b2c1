using TorchSharp;
using WaveFlow.Audio;
using WaveFlow.Vocoder;
using static TorchSharp.torch;

namespace WaveFlow.Evaluation.Benchmarks;

/// <summary>
/// One training iteration as the trainer runs it: forward, <see cref="WaveGlowLoss"/> (σ = 1),
/// backward, Adam step, on a random batch × segment of audio and its (random) mel. Weight norm
/// stays unfolded (it is trained). bf16/fp16: mixed precision as the trainer runs it (products
/// under <see cref="Autocast"/>, float32 master weights and loss); fp16 multiplies the loss by a
/// fixed 2^16 and divides the gradients by it (the work of loss scaling without its bookkeeping).
/// </summary>
internal static class TrainingBenchmark
{
    private const double Scale = 65536;

    public static BenchRow Run(WaveGlowOptions options, MelOptions mel, Device device, int batch, int segment, int warmUp, int repeats,
        Precision precision = Precision.Fp32)
    {
        using var model = new WaveGlow(options, mel);
        model.to(device);
        model.train();
        using var optimizer = optim.Adam(model.parameters(), lr: 1e-4);
        using var gen = new Generator(3);
        long frames = segment / mel.HopLength + 1;      // enough: (F − 1)·hop + filter ≥ segment
        using var audio = (rand([batch, segment], generator: gen) - 0.5).to(device);                           // (B, T)
        using var spect = (randn([batch, options.NMelChannels, frames], generator: gen) - 5.0).to(device);     // (B, n_mel, F)
        using var memory = HostMemory.Begin();
        var timing = Timing.Measure(() =>
        {
            using var scope = NewDisposeScope();
            optimizer.zero_grad();
            Tensor loss;
            using (Autocast.Enable(precision.Dtype()))
            {
                var (z, logS, logDetW) = model.Forward(audio, spect);
                loss = WaveGlowLoss.Compute(z, logS, logDetW, 1.0);
            }
            if (precision == Precision.Fp16)
            {
                (loss * Scale).backward();
                using (no_grad())
                    foreach (var p in model.parameters()) p.grad?.div_(Scale);
            }
            else loss.backward();
            optimizer.step();
        }, warmUp, repeats, device);
        double medianS = timing.MedianMs / 1000;
        return new BenchRow($"train step (Adam) {batch} × {segment}", device.ToString(), precision.ToString().ToLowerInvariant(), (double)segment / mel.SamplingRate, batch,
            timing.MedianMs, timing.MinMs, (double)batch * segment / medianS / 1000, null,
            memory.PeakBytes, memory.StartBytes, SynthesisBenchmark.DeviceBytes(device), timing.Milliseconds, null, timing.MedianCpuMs);
    }
}
