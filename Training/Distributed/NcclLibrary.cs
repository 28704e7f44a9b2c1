using System.Runtime.InteropServices;
using WaveFlow.Core;

namespace WaveFlow.Training.Distributed;

/// <summary>
/// NVIDIA's NCCL (<c>libnccl.so.2</c>) through P/Invoke, and <c>cudaSetDevice</c> from the CUDA
/// runtime that libtorch already loaded. NCCL ships with PyTorch's CUDA wheels
/// (<c>site-packages/nvidia/nccl/lib</c>) and with NVIDIA's packages (<c>libnccl2</c>).
/// </summary>
internal sealed class NcclLibrary
{
    public const string PathVariable = "WAVEFLOW_NCCL_LIB";
    public const int Success = 0;
    public const int InProgress = 7;
    public const int Float32 = 7;           // ncclFloat32
    public const int OpSum = 0;             // ncclSum
    public const int OpAvg = 4;             // ncclAvg (NCCL ≥ 2.10)
    public const string InstallHint =
        "NCCL comes with PyTorch's CUDA wheels (site-packages/nvidia/nccl/lib, add it to LD_LIBRARY_PATH) or NVIDIA's libnccl2 package";

    /// <summary>ncclUniqueId: 128 opaque bytes made on rank 0 and sent to every rank.</summary>
    [StructLayout(LayoutKind.Sequential, Size = 128)]
    public struct UniqueId
    {
        [MarshalAs(UnmanagedType.ByValArray, SizeConst = 128)] public byte[] Bytes;
    }

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)] public delegate int GetVersionFn(out int version);
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)] public delegate int GetUniqueIdFn(ref UniqueId id);
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)] public delegate int CommInitRankFn(out IntPtr comm, int ranks, UniqueId id, int rank);
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)] public delegate int AllReduceFn(IntPtr send, IntPtr receive, nuint count, int type, int op, IntPtr comm, IntPtr stream);
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)] public delegate int BroadcastFn(IntPtr send, IntPtr receive, nuint count, int type, int root, IntPtr comm, IntPtr stream);
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)] public delegate int AsyncErrorFn(IntPtr comm, out int error);
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)] public delegate int CommFn(IntPtr comm);
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)] public delegate IntPtr ErrorStringFn(int result);
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)] public delegate int SetDeviceFn(int device);

    public required string Path { get; init; }
    public required GetVersionFn GetVersion { get; init; }
    public required GetUniqueIdFn GetUniqueId { get; init; }
    public required CommInitRankFn CommInitRank { get; init; }
    public required AllReduceFn AllReduce { get; init; }
    public required BroadcastFn Broadcast { get; init; }
    public required AsyncErrorFn CommGetAsyncError { get; init; }
    public required CommFn CommAbort { get; init; }
    public required CommFn CommDestroy { get; init; }
    public required ErrorStringFn ErrorString { get; init; }

    private static readonly Lazy<NcclLibrary> Instance = new(Bind);

    public static NcclLibrary Get() => Instance.Value;

    private static NcclLibrary Bind()
    {
        var lib = NativeLibraryProbe.Load("NCCL", PathVariable, ["libnccl.so.2", "libnccl.so"], InstallHint);
        return new NcclLibrary
        {
            Path = lib.Path,
            GetVersion = lib.Function<GetVersionFn>("ncclGetVersion"),
            GetUniqueId = lib.Function<GetUniqueIdFn>("ncclGetUniqueId"),
            CommInitRank = lib.Function<CommInitRankFn>("ncclCommInitRank"),
            AllReduce = lib.Function<AllReduceFn>("ncclAllReduce"),
            Broadcast = lib.Function<BroadcastFn>("ncclBroadcast"),
            CommGetAsyncError = lib.Function<AsyncErrorFn>("ncclCommGetAsyncError"),
            CommAbort = lib.Function<CommFn>("ncclCommAbort"),
            CommDestroy = lib.Function<CommFn>("ncclCommDestroy"),
            ErrorString = lib.Function<ErrorStringFn>("ncclGetErrorString"),
        };
    }

    /// <summary>"2.21.5" from NCCL's version code (major·10000 + minor·100 + patch since 2.9).</summary>
    public string Version()
    {
        if (GetVersion(out int code) != Success) return "unknown";
        return code >= 10000 ? $"{code / 10000}.{code / 100 % 100}.{code % 100}" : $"{code / 1000}.{code / 100 % 10}.{code % 100}";
    }

    public string Describe(int result) => Marshal.PtrToStringUTF8(ErrorString(result)) ?? $"error {result}";

    public void Check(int result, string call)
    {
        if (result is Success or InProgress) return;
        throw new WaveFlowException($"NCCL: {call} failed: {Describe(result)}", 1);
    }

    /// <summary>cudaSetDevice from the CUDA runtime libtorch loaded (found by its soname).</summary>
    public static void SetCudaDevice(int device)
    {
        var runtime = NativeLibraryProbe.Load("the CUDA runtime", null,
            ["libcudart.so.13", "libcudart.so.12", "libcudart.so.11.0", "libcudart.so"], "install PyTorch with CUDA or the CUDA toolkit");
        int result = runtime.Function<SetDeviceFn>("cudaSetDevice")(device);
        if (result != 0) throw new WaveFlowException($"CUDA: cudaSetDevice({device}) failed with error {result}", 1);
    }
}
