using System.Runtime.InteropServices;

namespace WaveFlow.Core.Runtime;

/// <summary>
/// libtorch's CPU build carries Intel oneMKL (2024.0), which does every float32 matrix product
/// (torch.matmul/addmm, and the GEMMs behind convolutions that do not go to oneDNN). oneMKL picks
/// its kernels by CPU vendor first: on an AMD CPU it takes a generic AVX2 path even when the CPU
/// has AVX-512. The vendor test is two exported functions, <c>mkl_serv_intel_cpu_true</c> and
/// <c>mkl_serv_intel_cpu</c> (each compares CPUID's vendor string with "GenuineIntel" and caches
/// the answer); after them oneMKL chooses kernels by the CPU's feature bits as on an Intel CPU.
/// On AMD processors this replaces both bodies by "return 1" in this process's copy of
/// libtorch_cpu (the well-known LD_PRELOAD workaround, done in place because .NET cannot preload).
/// The AVX-512 kernels are the faster ones on such CPUs (docs/bench/history.md has the
/// measurements); results agree with float64 to float32 rounding (tested). Must run before the first matrix product (oneMKL caches its choice); set
/// WAVEFLOW_MKL_VENDOR_CHECK=keep to leave oneMKL as shipped.
/// </summary>
internal static class MklVendorDispatch
{
    public const string Variable = "WAVEFLOW_MKL_VENDOR_CHECK";
    private static readonly string[] Functions = ["mkl_serv_intel_cpu_true", "mkl_serv_intel_cpu"];
    // x86-64: mov eax, 1; ret
    private static readonly byte[] ReturnOne = [0xB8, 0x01, 0x00, 0x00, 0x00, 0xC3];

    /// <summary>What <see cref="Apply"/> did, for `waveflow info` and the bench's machine line.</summary>
    public static string Status { get; private set; } = "not applied";

    /// <summary>True when oneMKL now takes its Intel kernel selection on this (AMD) CPU.</summary>
    public static bool Active { get; private set; }

    /// <summary>Called once by <see cref="TorchRuntime"/> right after libtorch loads.</summary>
    internal static void Apply()
    {
        if (Environment.GetEnvironmentVariable(Variable) == "keep") { Status = $"oneMKL as shipped ({Variable}=keep)"; return; }
        if (!OperatingSystem.IsLinux() || RuntimeInformation.ProcessArchitecture != Architecture.X64) { Status = "not needed (not x86-64 Linux)"; return; }
        if (CpuVendor() != "AuthenticAMD") { Status = "not needed (not an AMD CPU)"; return; }
        var library = TorchRuntime.LoadedLibraries().FirstOrDefault(p => Path.GetFileName(p).StartsWith("libtorch_cpu", StringComparison.Ordinal));
        if (library is null || !NativeLibrary.TryLoad(library, out var handle)) { Status = "not applied (libtorch_cpu not found)"; return; }
        var addresses = new List<nint>();
        foreach (var name in Functions)
        {
            if (!NativeLibrary.TryGetExport(handle, name, out var address)) { Status = $"not applied (this libtorch has no {name}: no oneMKL vendor check)"; return; }
            addresses.Add(address);
        }
        foreach (var address in addresses)
            if (!Overwrite(address)) { Status = "not applied (the code pages could not be made writable)"; return; }
        Active = true;
        Status = "oneMKL uses its Intel kernel selection on this AMD CPU (vendor check bypassed)";
    }

    private static bool Overwrite(nint address)
    {
        nint page = Environment.SystemPageSize;
        nint start = address & ~(page - 1);
        nint length = address + ReturnOne.Length - start;
        const int Read = 1, Write = 2, Execute = 4;
        if (MProtect(start, (nuint)length, Read | Write | Execute) != 0) return false;
        Marshal.Copy(ReturnOne, 0, address, ReturnOne.Length);
        MProtect(start, (nuint)length, Read | Execute);
        return true;
    }

    private static string? CpuVendor()
    {
        try
        {
            return File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("vendor_id", StringComparison.Ordinal))?.Split(':')[1].Trim();
        }
        catch (IOException) { return null; }
    }

#pragma warning disable SYSLIB1054
    [DllImport("libc", EntryPoint = "mprotect", SetLastError = true)]
    private static extern int MProtect(nint address, nuint length, int protection);
#pragma warning restore SYSLIB1054
}
