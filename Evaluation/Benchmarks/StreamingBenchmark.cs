using System.Diagnostics;
using TorchSharp;
using WaveFlow.Vocoder;
using WaveFlow.Vocoder.Synthesis;
using static TorchSharp.torch;

namespace WaveFlow.Evaluation.Benchmarks;

/// <summary>
/// Time to first audio of streamed synthesis (<see cref="WaveFlowVocoder.SynthesizeStreaming"/>):
/// the chunks of <see cref="ChunkedInference.Plan"/> computed one after another, each brought to
/// the host as float32 as the stream hands it out. Per repeat it records when the first chunk is
/// on the host and when the last one is (wall and process CPU time); the row's medians are the
/// first's, its note compares them with the whole stream's.
/// </summary>
internal static class StreamingBenchmark
{
    public static BenchRow Run(IFlowInverse flow, double seconds, int chunkFrames, Precision precision, Device device, int warmUp, int repeats)
    {
        var model = flow.Model;
        var (mel, z) = SynthesisBenchmark.Inputs(model, seconds, 1, precision.Dtype(), device);
        using var _m = mel;
        using var _z = z;
        var plan = ChunkedInference.Plan(model, mel, z, chunkFrames);
        using var memory = HostMemory.Begin();
        // Wall and process CPU time (see Timing: CPU time is what a loaded machine inflates least).
        var first = new List<double>();
        var firstCpu = new List<double>();
        var whole = new List<double>();
        var wholeCpu = new List<double>();
        using var process = Process.GetCurrentProcess();
        double CpuMs() { process.Refresh(); return process.TotalProcessorTime.TotalMilliseconds; }
        for (int i = 0; i < warmUp + repeats; i++)
        {
            double cpuStart = CpuMs();
            long start = Stopwatch.GetTimestamp();
            for (int k = 0; k < plan.Count; k++)
            {
                using var scope = NewDisposeScope();
                using var piece = ChunkedInference.InferChunk(flow, mel, z, plan[k]).to(ScalarType.Float32).cpu();   // (1, chunk samples), on the host
                _ = piece.data<float>()[0];
                if (k == 0 && i >= warmUp)
                {
                    first.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                    firstCpu.Add(CpuMs() - cpuStart);
                }
            }
            if (i >= warmUp)
            {
                whole.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                wholeCpu.Add(CpuMs() - cpuStart);
            }
        }
        var firstTiming = new Timing(first, firstCpu);
        double wholeMs = new Timing(whole).MedianMs, wholeCpuMs = new Timing(wholeCpu).MedianMs;
        double audioSeconds = (double)z.shape[1] * z.shape[2] / model.Mel.SamplingRate;
        double firstSeconds = Math.Min(chunkFrames * (double)model.Mel.HopLength / model.Mel.SamplingRate, audioSeconds);
        string note = $"streamed: first {firstSeconds:F1} s of audio after {firstTiming.MedianMs:F0} ms, all {plan.Count} chunk(s) of {chunkFrames} frames after {wholeMs:F0} ms " +
                      $"({100 * firstTiming.MedianMs / wholeMs:F0} %); CPU time {firstTiming.MedianCpuMs:F0} of {wholeCpuMs:F0} ms; context {ReceptiveField.ContextFrames(model.Options, model.Mel)} frames";
        return new BenchRow("synthesis, streamed: first audio", device.ToString(), precision.ToString().ToLowerInvariant(), audioSeconds, 1,
            firstTiming.MedianMs, firstTiming.MinMs, z.shape[1] * z.shape[2] / (wholeMs / 1000) / 1000, audioSeconds / (wholeMs / 1000),
            memory.PeakBytes, memory.StartBytes, SynthesisBenchmark.DeviceBytes(device), first, note, firstTiming.MedianCpuMs);
    }
}
