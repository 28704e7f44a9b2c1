using System.Runtime.InteropServices;
using System.Text;

namespace WaveFlow.Core.Runtime;

/// <summary>
/// Names and memory of CUDA devices, read from the CUDA driver API (libcuda.so.1 / nvcuda.dll)
/// because TorchSharp exposes only the device count. Returns nothing where no driver is present.
/// </summary>
internal static class CudaDevices
{
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)] private delegate int CuInit(uint flags);
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)] private delegate int CuDeviceGetCount(out int count);
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)] private delegate int CuDeviceGet(out int device, int ordinal);
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)] private delegate int CuDeviceGetName(byte[] name, int len, int device);
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)] private delegate int CuDeviceTotalMem(out nuint bytes, int device);

    public static IReadOnlyList<CudaDeviceInfo> List()
    {
        var name = OperatingSystem.IsWindows() ? "nvcuda.dll" : "libcuda.so.1";
        if (!NativeLibrary.TryLoad(name, out var lib)) return [];
        try
        {
            T Get<T>(string symbol) where T : Delegate =>
                Marshal.GetDelegateForFunctionPointer<T>(NativeLibrary.GetExport(lib, symbol));
            if (Get<CuInit>("cuInit")(0) != 0) return [];
            if (Get<CuDeviceGetCount>("cuDeviceGetCount")(out int count) != 0) return [];
            var getDevice = Get<CuDeviceGet>("cuDeviceGet");
            var getName = Get<CuDeviceGetName>("cuDeviceGetName");
            var totalMem = Get<CuDeviceTotalMem>("cuDeviceTotalMem_v2");
            var result = new List<CudaDeviceInfo>();
            for (int i = 0; i < count; i++)
            {
                if (getDevice(out int dev, i) != 0) continue;
                var buffer = new byte[256];
                getName(buffer, buffer.Length, dev);
                totalMem(out nuint bytes, dev);
                result.Add(new CudaDeviceInfo(i, Encoding.ASCII.GetString(buffer).TrimEnd('\0'), (long)bytes));
            }
            return result;
        }
        catch (EntryPointNotFoundException)
        {
            return [];
        }
    }
}
