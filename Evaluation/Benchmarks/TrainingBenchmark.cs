using TorchSharp;
using WaveFlow.Audio;
using WaveFlow.Audio.Dsp;
using WaveFlow.Training.Config;
using WaveFlow.Training.Data;
using WaveFlow.Training.Loop;
using WaveFlow.Vocoder;
using static TorchSharp.torch;

namespace WaveFlow.Evaluation.Benchmarks;

/// <summary>
/// One training iteration exactly as <c>waveflow train</c> runs it: the trainer's own
/// <see cref="TrainStep"/> on a batch × segment of (random) audio: the batch copied to the device,
/// the mel front end on the device, forward, <see cref="WaveGlowLoss"/>, the finiteness checks,
/// backward, gradient-norm clipping, Adam. Weight norm stays unfolded (it is trained). bf16/fp16:
/// mixed precision as the trainer runs it, fp16 with its dynamic loss scaling. σ, the clipping
/// threshold and the learning rate come from the <c>train</c> options given (the config's defaults when
/// none is given); the clipping costs the same at any threshold (the norm is always computed and
/// the gradients always scaled, by 1 when under it).
/// </summary>
internal static class TrainingBenchmark
{
    public static BenchRow Run(WaveGlowOptions options, MelOptions mel, Device device, int batch, int segment, int warmUp, int repeats,
        Precision precision = Precision.Fp32, TrainOptions? train = null)
    {
        train ??= new TrainOptions();
        using var model = new WaveGlow(options, mel);
        model.to(device);
        using var optimizer = optim.Adam(model.parameters(), lr: train.LearningRate);
        using var melFrontEnd = new TorchMelSpectrogram(mel, device);
        using var step = new TrainStep(model, optimizer, melFrontEnd, device, train.Sigma, train.GradClipThresh, precision: precision);
        // Random audio in [−0.5, 0.5), as the data loader hands it over: a flat float array on the host.
        var random = new Random(3);
        var audio = new float[batch * segment];
        for (int i = 0; i < audio.Length; i++) audio[i] = (float)(random.NextDouble() - 0.5);
        var data = new TrainingBatch(Iteration: 0, Epoch: 0, audio, batch, segment, Ids: []);
        int skipped = 0;
        using var memory = HostMemory.Begin();
        var timing = Timing.Measure(() =>
        {
            if (step.Run(data, train.LearningRate).Outcome != StepOutcome.Stepped) skipped++;
        }, warmUp, repeats, device);
        double medianS = timing.MedianMs / 1000;
        // fp16's loss scale starts high and halves on overflow, skipping those steps as the trainer does.
        string? note = skipped > 0 ? $"{skipped} of {warmUp + repeats} steps skipped (non-finite loss or gradient, or fp16 loss-scale overflow)" : null;
        return new BenchRow($"train step (Adam) {batch} × {segment}", device.ToString(), precision.ToString().ToLowerInvariant(), (double)segment / mel.SamplingRate, batch,
            timing.MedianMs, timing.MinMs, (double)batch * segment / medianS / 1000, null,
            memory.PeakBytes, memory.StartBytes, SynthesisBenchmark.DeviceBytes(device), timing.Milliseconds, note, timing.MedianCpuMs);
    }
}
