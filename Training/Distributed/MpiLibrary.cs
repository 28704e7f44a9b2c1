using System.Runtime.InteropServices;
using System.Text;
using WaveFlow.Core;

namespace WaveFlow.Training.Distributed;

/// <summary>
/// Open MPI's C API through P/Invoke. Open MPI's handles (MPI_COMM_WORLD, MPI_FLOAT, MPI_SUM, …)
/// are the addresses of exported globals (<c>ompi_mpi_comm_world</c>, …), which is also how
/// Open MPI is told apart from MPICH-family libraries, whose handles are integers and which this
/// binding does not speak. Works with Open MPI 4.x and 5.x (libmpi.so.40).
/// </summary>
internal sealed class MpiLibrary
{
    public const string PathVariable = "WAVEFLOW_MPI_LIB";
    public const int Success = 0;
    public const int ThreadMultiple = 3;
    public const int CommTypeShared = 0;
    /// <summary>MPI_IN_PLACE is <c>(void*)1</c> in Open MPI.</summary>
    public static readonly IntPtr InPlace = 1;

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)] public delegate int FlagFn(out int flag);
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)] public delegate int InitThreadFn(IntPtr argc, IntPtr argv, int required, out int provided);
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)] public delegate int VoidFn();
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)] public delegate int CommIntFn(IntPtr comm, out int value);
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)] public delegate int SplitTypeFn(IntPtr comm, int splitType, int key, IntPtr info, out IntPtr newComm);
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)] public delegate int CommFreeFn(ref IntPtr comm);
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)] public delegate int BcastFn(IntPtr buffer, int count, IntPtr datatype, int root, IntPtr comm);
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)] public delegate int AllreduceFn(IntPtr send, IntPtr receive, int count, IntPtr datatype, IntPtr op, IntPtr comm);
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)] public delegate int CommFn(IntPtr comm);
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)] public delegate int AbortFn(IntPtr comm, int errorCode);
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)] public delegate int StringFn(byte[] text, out int length);
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)] public delegate int ErrorStringFn(int code, byte[] text, out int length);
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)] public delegate int SetErrhandlerFn(IntPtr comm, IntPtr handler);

    public required string Path { get; init; }
    public required FlagFn Initialized { get; init; }
    public required FlagFn Finalized { get; init; }
    public required InitThreadFn InitThread { get; init; }
    public required VoidFn Finalize { get; init; }
    public required CommIntFn CommRank { get; init; }
    public required CommIntFn CommSize { get; init; }
    public required SplitTypeFn CommSplitType { get; init; }
    public required CommFreeFn CommFree { get; init; }
    public required BcastFn Bcast { get; init; }
    public required AllreduceFn Allreduce { get; init; }
    public required CommFn Barrier { get; init; }
    public required AbortFn Abort { get; init; }
    public required StringFn LibraryVersion { get; init; }
    public required ErrorStringFn ErrorString { get; init; }
    public required SetErrhandlerFn CommSetErrhandler { get; init; }

    public required IntPtr CommWorld { get; init; }
    public required IntPtr Float { get; init; }
    public required IntPtr Double { get; init; }
    public required IntPtr Byte { get; init; }
    public required IntPtr OpSum { get; init; }
    public required IntPtr OpMax { get; init; }
    public required IntPtr InfoNull { get; init; }
    public required IntPtr ErrorsReturn { get; init; }

    private static readonly Lazy<MpiLibrary> Instance = new(Bind);

    /// <summary>The process's libmpi, loaded once; throws a one-line WaveFlowException when absent.</summary>
    public static MpiLibrary Get() => Instance.Value;

    public const string InstallHint = "install Open MPI 4.x or 5.x (Debian/Ubuntu: apt-get install openmpi-bin libopenmpi-dev)";

    private static MpiLibrary Bind()
    {
        var lib = NativeLibraryProbe.Load("the MPI library (Open MPI)", PathVariable, ["libmpi.so.40", "libmpi.so"], InstallHint);
        if (!lib.Has("ompi_mpi_comm_world"))
            throw new WaveFlowException($"{lib.Path}: is not Open MPI (no ompi_mpi_comm_world); MPICH-family libraries are not supported: {InstallHint}", 1);
        return new MpiLibrary
        {
            Path = lib.Path,
            Initialized = lib.Function<FlagFn>("MPI_Initialized"),
            Finalized = lib.Function<FlagFn>("MPI_Finalized"),
            InitThread = lib.Function<InitThreadFn>("MPI_Init_thread"),
            Finalize = lib.Function<VoidFn>("MPI_Finalize"),
            CommRank = lib.Function<CommIntFn>("MPI_Comm_rank"),
            CommSize = lib.Function<CommIntFn>("MPI_Comm_size"),
            CommSplitType = lib.Function<SplitTypeFn>("MPI_Comm_split_type"),
            CommFree = lib.Function<CommFreeFn>("MPI_Comm_free"),
            Bcast = lib.Function<BcastFn>("MPI_Bcast"),
            Allreduce = lib.Function<AllreduceFn>("MPI_Allreduce"),
            Barrier = lib.Function<CommFn>("MPI_Barrier"),
            Abort = lib.Function<AbortFn>("MPI_Abort"),
            LibraryVersion = lib.Function<StringFn>("MPI_Get_library_version"),
            ErrorString = lib.Function<ErrorStringFn>("MPI_Error_string"),
            CommSetErrhandler = lib.Function<SetErrhandlerFn>("MPI_Comm_set_errhandler"),
            CommWorld = lib.Export("ompi_mpi_comm_world"),
            Float = lib.Export("ompi_mpi_float"),
            Double = lib.Export("ompi_mpi_double"),
            Byte = lib.Export("ompi_mpi_byte"),
            OpSum = lib.Export("ompi_mpi_op_sum"),
            OpMax = lib.Export("ompi_mpi_op_max"),
            InfoNull = lib.Export("ompi_mpi_info_null"),
            ErrorsReturn = lib.Export("ompi_mpi_errors_return"),
        };
    }

    /// <summary>"Open MPI v4.1.4, …" (callable before MPI_Init).</summary>
    public string Version()
    {
        var buffer = new byte[8192];
        LibraryVersion(buffer, out int length);
        var text = Encoding.UTF8.GetString(buffer, 0, Math.Clamp(length, 0, buffer.Length)).TrimEnd('\0', '\n', ' ');
        return text.Split('\n')[0].Split(',')[0].Trim();
    }

    /// <summary>Throws a one-line WaveFlowException for a failed call.</summary>
    public void Check(int code, string call)
    {
        if (code == Success) return;
        var buffer = new byte[1024];
        string text = ErrorString(code, buffer, out int length) == Success
            ? Encoding.UTF8.GetString(buffer, 0, Math.Clamp(length, 0, buffer.Length)).TrimEnd('\0')
            : $"error {code}";
        throw new WaveFlowException($"MPI: {call} failed: {text}", 1);
    }
}
