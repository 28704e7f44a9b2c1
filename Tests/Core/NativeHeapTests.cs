using System.Runtime.InteropServices;
using WaveFlow.Core.Runtime;
using WaveFlow.Tests.Support;

namespace WaveFlow.Tests.Core;

/// <summary>
/// Once libtorch is loaded, a 16 MB block comes from glibc's heap, not from a fresh mmap (which
/// page-faults on every first touch and is unmapped on free): glibc's own statistics
/// (mallinfo2's hblkhd, the bytes held in mmapped blocks) do not grow by it. The test runs on a
/// pool thread, whose glibc arena is made of 64 MB heaps: a block larger than that is mmapped
/// whatever the threshold (the main thread's arena has no such limit), hence 16 MB. glibc's
/// statistics are process-wide (another test thread's large block would count), so it runs alone.
/// </summary>
[Collection(ProcessWideMeasurement.Name)]
public class NativeHeapTests
{
    [SkippableFact]
    public void LargeBlocksComeFromTheHeapOnceLibtorchIsLoaded()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "glibc only");
        Skip.If(Environment.GetEnvironmentVariable(NativeHeap.Variable) is { Length: > 0 } || Environment.GetEnvironmentVariable("GLIBC_TUNABLES") is { Length: > 0 },
            "the environment chose the allocator settings");
        TorchRuntime.EnsureLoaded();
        Assert.StartsWith("glibc malloc keeps freed blocks", NativeHeap.Status);
        const int size = 16 << 20;
        long mmappedBefore = MallInfo2().hblkhd;
        nint block = Marshal.AllocHGlobal(size);   // malloc on Unix
        try
        {
            long mmappedAfter = MallInfo2().hblkhd;
            Assert.True(mmappedAfter - mmappedBefore < size, $"the 16 MB block was mmapped ({mmappedBefore} → {mmappedAfter} bytes in mmapped blocks)");
        }
        finally { Marshal.FreeHGlobal(block); }
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct MallInfo
    {
        public nint arena, ordblks, smblks, hblks, hblkhd, usmblks, fsmblks, uordblks, fordblks, keepcost;
    }

#pragma warning disable SYSLIB1054
    [DllImport("libc", EntryPoint = "mallinfo2")]
    private static extern MallInfo MallInfo2();
#pragma warning restore SYSLIB1054
}
