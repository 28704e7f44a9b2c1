using System.Diagnostics;
using TorchSharp;

namespace WaveFlow.Evaluation.Benchmarks;

/// <summary>
/// Times of one benchmark case: the repeats after warm-up, and their median. CpuMilliseconds is
/// the process's CPU time (all threads) per repeat: on a machine shared with other work the wall
/// time grows with the load while the CPU time stays near what the work itself needs, so
/// CPU time ÷ threads estimates the unloaded wall time (an estimate: spinning threads count too).
/// </summary>
internal sealed record Timing(IReadOnlyList<double> Milliseconds, IReadOnlyList<double>? CpuMilliseconds = null)
{
    public double MedianMs
    {
        get
        {
            var sorted = Milliseconds.OrderBy(x => x).ToArray();
            int n = sorted.Length;
            return n % 2 == 1 ? sorted[n / 2] : 0.5 * (sorted[n / 2 - 1] + sorted[n / 2]);
        }
    }

    public double MinMs => Milliseconds.Min();

    /// <summary>Median process CPU time per repeat (0 when not recorded).</summary>
    public double MedianCpuMs => CpuMilliseconds is { Count: > 0 } c ? new Timing(c).MedianMs : 0;

    /// <summary>
    /// Runs <paramref name="action"/> warmUp times untimed (allocator caches, oneDNN/cuDNN
    /// algorithm choice, lazy W⁻¹), then repeats times, each timed to completion: on CUDA the
    /// device is synchronised before the clock stops, since kernels run asynchronously.
    /// </summary>
    public static Timing Measure(Action action, int warmUp, int repeats, torch.Device device)
    {
        for (int i = 0; i < warmUp; i++) { action(); Sync(device); }
        var times = new double[repeats];
        var cpu = new double[repeats];
        using var process = Process.GetCurrentProcess();
        for (int i = 0; i < repeats; i++)
        {
            Sync(device);
            process.Refresh();
            var cpuStart = process.TotalProcessorTime;
            long start = Stopwatch.GetTimestamp();
            action();
            Sync(device);
            times[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            process.Refresh();
            cpu[i] = (process.TotalProcessorTime - cpuStart).TotalMilliseconds;
        }
        return new Timing(times, cpu);
    }

    private static void Sync(torch.Device device)
    {
        if (device.type == DeviceType.CUDA) torch.cuda.synchronize(device);
    }
}
