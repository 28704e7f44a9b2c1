using System.Runtime.InteropServices;

namespace WaveFlow.Core.Runtime;

/// <summary>
/// glibc's malloc serves large blocks (above a threshold that grows to at most 32 MB) with a fresh
/// mmap and unmaps them on free, so every large libtorch temporary starts on untouched pages, and
/// each first touch of a page is a page fault. libtorch allocates and frees such temporaries per
/// operator, so a synthesis pays the faults again on every layer. With the mmap and trim
/// thresholds at 2 GB, freed blocks stay in the heap and are reused (the measurements, including
/// the threshold settings that did not help, are in docs/bench/history.md, "Native heap"). Threads other than the process's first allocate
/// from glibc arenas made of 64 MB heaps, where a larger block is mmapped whatever the threshold.
/// The cost: memory freed by libtorch is kept by the process for reuse instead of being returned
/// to the system. <c>WAVEFLOW_MALLOC=system</c> keeps glibc's defaults; so does setting any of
/// glibc's own knobs (<c>MALLOC_MMAP_THRESHOLD_</c>, <c>MALLOC_TRIM_THRESHOLD_</c>,
/// <c>GLIBC_TUNABLES</c>).
/// </summary>
internal static class NativeHeap
{
    public const string Variable = "WAVEFLOW_MALLOC";
    private const int TrimThreshold = -1, MmapThreshold = -3;   // M_TRIM_THRESHOLD, M_MMAP_THRESHOLD
    private const int Threshold = int.MaxValue;                 // 2 GB: blocks below it come from the heap

    /// <summary>What <see cref="KeepFreedBlocks"/> did, for <c>waveflow info</c> and bench.</summary>
    public static string Status { get; private set; } = "not configured";

    /// <summary>Raises glibc's mmap and trim thresholds (Linux, unless the user chose otherwise).</summary>
    public static void KeepFreedBlocks()
    {
        if (!OperatingSystem.IsLinux()) { Status = "the system allocator"; return; }
        string[] userKnobs = [Variable, "MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_", "GLIBC_TUNABLES"];
        if (userKnobs.FirstOrDefault(k => !string.IsNullOrEmpty(Environment.GetEnvironmentVariable(k))) is { } knob)
        {
            Status = $"glibc malloc as configured by {knob}";
            return;
        }
        try
        {
            bool ok = MallOpt(MmapThreshold, Threshold) == 1 & MallOpt(TrimThreshold, Threshold) == 1;
            Status = ok ? "glibc malloc keeps freed blocks below 2 GB for reuse (WAVEFLOW_MALLOC=system: glibc's defaults)"
                        : "glibc malloc defaults (mallopt refused the thresholds)";
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
            Status = "the C library's allocator (no mallopt)";
        }
    }

    // DllImport rather than LibraryImport: the latter's generated marshalling needs unsafe code.
#pragma warning disable SYSLIB1054
    [DllImport("libc", EntryPoint = "mallopt")]
    private static extern int MallOpt(int parameter, int value);
#pragma warning restore SYSLIB1054
}
