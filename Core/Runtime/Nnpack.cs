using System.Runtime.InteropServices;

namespace WaveFlow.Core.Runtime;

/// <summary>
/// libtorch's CPU build carries NNPACK, a convolution library it tries for some 2-D convolutions
/// (conv1d reaches it as a 2-D convolution of height 1, e.g. the upsampler of a short chunk).
/// The first try initialises NNPACK, which on CPUs it does not know (this project's AMD EPYC among
/// them) fails and prints "Could not initialize NNPACK! Reason: Unsupported hardware." on stderr,
/// in the middle of a synthesis. NNPACK is never faster than the oneDNN/oneMKL products WaveFlow's
/// convolutions use (<c>ConvAsProducts</c>), so it is switched off when libtorch loads, as
/// PyTorch's <c>torch.backends.nnpack.set_flags(False)</c> does: libtorch checks the user flag
/// before it initialises NNPACK, so nothing is tried and nothing is printed. TorchSharp binds no
/// such switch; the two functions are libtorch_cpu exports (C++ names, stable since libtorch 1.x):
/// <c>at::globalContext()</c> and <c>at::Context::setUserEnabledNNPACK(bool)</c>.
/// </summary>
internal static class Nnpack
{
    private const string GlobalContext = "_ZN2at13globalContextEv";
    private const string SetEnabled = "_ZN2at7Context20setUserEnabledNNPACKEb";
    private const string GetEnabled = "_ZNK2at7Context17userEnabledNNPACKEv";

    /// <summary>What <see cref="Disable"/> did, for `waveflow info`.</summary>
    public static string Status { get; private set; } = "not applied";

    /// <summary>Called once by <see cref="TorchRuntime"/> right after libtorch loads.</summary>
    internal static void Disable()
    {
        if (!TryResolve(out var context, out var set, out _)) return;
        Marshal.GetDelegateForFunctionPointer<SetFlag>(set)(context, 0);
        Status = Enabled() == false ? "off (libtorch's user flag; WaveFlow's convolutions are oneDNN/oneMKL products)" : "could not be switched off";
    }

    /// <summary>libtorch's NNPACK user flag now; null when this libtorch exports no such flag.</summary>
    internal static bool? Enabled()
    {
        if (!TryResolve(out var context, out _, out var get)) return null;
        return Marshal.GetDelegateForFunctionPointer<GetFlag>(get)(context) != 0;
    }

    // C++ member functions on x86-64/AArch64 Linux: `this` is the first argument; bool is one byte.
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)] private delegate nint ContextOf();
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)] private delegate void SetFlag(nint context, byte enabled);
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)] private delegate byte GetFlag(nint context);

    private static bool TryResolve(out nint context, out nint set, out nint get)
    {
        context = set = get = 0;
        var library = TorchRuntime.LoadedLibraries().FirstOrDefault(p => Path.GetFileName(p).StartsWith("libtorch_cpu", StringComparison.Ordinal));
        if (library is null || !NativeLibrary.TryLoad(library, out var handle)) { Status = "left as libtorch has it (libtorch_cpu not found)"; return false; }
        if (!NativeLibrary.TryGetExport(handle, GlobalContext, out var globalContext)
            || !NativeLibrary.TryGetExport(handle, SetEnabled, out set)
            || !NativeLibrary.TryGetExport(handle, GetEnabled, out get))
        {
            Status = "left as libtorch has it (no NNPACK switch exported)";
            return false;
        }
        context = Marshal.GetDelegateForFunctionPointer<ContextOf>(globalContext)();
        return context != 0;
    }
}
