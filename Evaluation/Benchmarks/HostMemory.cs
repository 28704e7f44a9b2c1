using System.Diagnostics;

namespace WaveFlow.Evaluation.Benchmarks;

/// <summary>
/// Peak resident memory of this process over one measured phase. On Linux the kernel's own
/// high-water mark (VmHWM) is reset by writing 5 to /proc/self/clear_refs before the phase, so
/// the peak is exact and needs no polling. Elsewhere (or where that write is refused) a sampler
/// thread reads the working set every 2 ms, which can miss short spikes; <see cref="Exact"/>
/// says which one was used. Both see the whole process: measure with nothing else running.
/// </summary>
internal sealed class HostMemory : IDisposable
{
    private readonly bool exact;
    private readonly Thread? sampler;
    private volatile bool stop;
    private long sampledPeak;

    /// <summary>Resident bytes when the phase began.</summary>
    public long StartBytes { get; }

    private HostMemory()
    {
        // Reset first, then read: the high-water mark is at least every later reading, so the
        // peak can never come out below the start.
        exact = TryResetHighWaterMark();
        StartBytes = CurrentBytes();
        if (exact) return;
        sampledPeak = StartBytes;
        sampler = new Thread(() =>
        {
            while (!stop)
            {
                long now = CurrentBytes();
                if (now > Interlocked.Read(ref sampledPeak)) Interlocked.Exchange(ref sampledPeak, now);
                Thread.Sleep(2);
            }
        }) { IsBackground = true, Name = "rss sampler" };
        sampler.Start();
    }

    /// <summary>Starts measuring a phase.</summary>
    public static HostMemory Begin() => new();

    /// <summary>True when the kernel's high-water mark is used (Linux), false when sampled.</summary>
    public bool Exact => exact;

    /// <summary>Peak resident bytes since <see cref="Begin"/>.</summary>
    public long PeakBytes => exact ? ReadStatusKb("VmHWM:") * 1024 : Math.Max(Interlocked.Read(ref sampledPeak), CurrentBytes());

    public void Dispose()
    {
        stop = true;
        sampler?.Join();
    }

    /// <summary>Resident bytes now.</summary>
    public static long CurrentBytes()
    {
        long kb = ReadStatusKb("VmRSS:");
        if (kb > 0) return kb * 1024;
        using var p = Process.GetCurrentProcess();
        return p.WorkingSet64;
    }

    /// <summary>The process's peak resident bytes over its whole life (VmHWM / PeakWorkingSet).</summary>
    public static long LifetimePeakBytes()
    {
        using var p = Process.GetCurrentProcess();
        return p.PeakWorkingSet64;
    }

    private static bool TryResetHighWaterMark()
    {
        if (!OperatingSystem.IsLinux()) return false;
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
            return ReadStatusKb("VmHWM:") > 0;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static long ReadStatusKb(string key)
    {
        if (!OperatingSystem.IsLinux()) return 0;
        try
        {
            foreach (var line in File.ReadLines("/proc/self/status"))
                if (line.StartsWith(key, StringComparison.Ordinal))
                    return long.Parse(line.AsSpan(key.Length).Trim().ToString().Split(' ')[0]);
        }
        catch (IOException) { }
        return 0;
    }
}
