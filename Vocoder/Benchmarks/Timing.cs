using System.Diagnostics;
using TorchSharp;

namespace WaveFlow.Vocoder.Benchmarks;

/// <summary>Times of one benchmark case: the repeats after warm-up, and their median.</summary>
public sealed record Timing(IReadOnlyList<double> Milliseconds)
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

    /// <summary>
    /// Runs <paramref name="action"/> warmUp times untimed (allocator caches, oneDNN/cuDNN
    /// algorithm choice, lazy W⁻¹), then repeats times, each timed to completion: on CUDA the
    /// device is synchronised before the clock stops, since kernels run asynchronously.
    /// </summary>
    public static Timing Measure(Action action, int warmUp, int repeats, torch.Device device)
    {
        for (int i = 0; i < warmUp; i++) { action(); Sync(device); }
        var times = new double[repeats];
        for (int i = 0; i < repeats; i++)
        {
            Sync(device);
            long start = Stopwatch.GetTimestamp();
            action();
            Sync(device);
            times[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }
        return new Timing(times);
    }

    private static void Sync(torch.Device device)
    {
        if (device.type == DeviceType.CUDA) torch.cuda.synchronize(device);
    }
}
