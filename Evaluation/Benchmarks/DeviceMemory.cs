using System.Runtime.InteropServices;

namespace WaveFlow.Evaluation.Benchmarks;

/// <summary>
/// CUDA memory in use on a device, from the driver (cuMemGetInfo: total − free). TorchSharp 0.107
/// binds none of torch.cuda's memory statistics (no max_memory_allocated, no empty_cache), so this
/// is the driver's view: the CUDA context plus everything libtorch's caching allocator holds.
/// The allocator keeps what it once reserved, so the value after a phase is the reserve's peak so
/// far (an upper bound of the phase's own peak of allocated tensors). Null without a driver.
/// </summary>
internal static class DeviceMemory
{
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)] private delegate int CuInit(uint flags);
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)] private delegate int CuDeviceGet(out int device, int ordinal);
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)] private delegate int CuDevicePrimaryCtxRetain(out IntPtr context, int device);
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)] private delegate int CuDevicePrimaryCtxRelease(int device);
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)] private delegate int CuCtxPushCurrent(IntPtr context);
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)] private delegate int CuCtxPopCurrent(out IntPtr context);
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)] private delegate int CuMemGetInfo(out nuint free, out nuint total);

    /// <summary>Bytes in use on CUDA device <paramref name="ordinal"/>, or null where there is no driver.</summary>
    public static long? UsedBytes(int ordinal)
    {
        var name = OperatingSystem.IsWindows() ? "nvcuda.dll" : "libcuda.so.1";
        if (!NativeLibrary.TryLoad(name, out var lib)) return null;
        try
        {
            T Get<T>(string symbol) where T : Delegate =>
                Marshal.GetDelegateForFunctionPointer<T>(NativeLibrary.GetExport(lib, symbol));
            if (Get<CuInit>("cuInit")(0) != 0) return null;
            if (Get<CuDeviceGet>("cuDeviceGet")(out int device, ordinal) != 0) return null;
            // libtorch runs on the device's primary context; retaining it here gives the same
            // context on this thread without creating a new one (which would itself use memory).
            if (Get<CuDevicePrimaryCtxRetain>("cuDevicePrimaryCtxRetain")(out var context, device) != 0) return null;
            try
            {
                if (Get<CuCtxPushCurrent>("cuCtxPushCurrent_v2")(context) != 0) return null;
                try
                {
                    return Get<CuMemGetInfo>("cuMemGetInfo_v2")(out var free, out var total) == 0 ? (long)(total - free) : null;
                }
                finally { Get<CuCtxPopCurrent>("cuCtxPopCurrent_v2")(out _); }
            }
            finally { Get<CuDevicePrimaryCtxRelease>("cuDevicePrimaryCtxRelease_v2")(device); }
        }
        catch (EntryPointNotFoundException)
        {
            return null;
        }
    }
}
