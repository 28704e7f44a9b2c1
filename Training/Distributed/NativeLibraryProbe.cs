using System.Runtime.InteropServices;
using WaveFlow.Core;

namespace WaveFlow.Training.Distributed;

/// <summary>
/// Finds a native library by trying its usual names (and an override variable) in order, and
/// binds its exported functions as delegates. A missing library or symbol becomes one line that
/// names what was looked for and how to install it, never a DllNotFoundException at first use.
/// </summary>
internal sealed class NativeLibraryProbe
{
    public IntPtr Handle { get; }
    public string Path { get; }

    private NativeLibraryProbe(IntPtr handle, string path) => (Handle, Path) = (handle, path);

    /// <summary>Loads the first of <paramref name="names"/> that loads; when the variable is set,
    /// its value is the only candidate (a user who names a library means that one).</summary>
    public static NativeLibraryProbe Load(string what, string? overrideVariable, IReadOnlyList<string> names, string install)
    {
        var tried = new List<string>();
        var fromVariable = overrideVariable is null ? null : Environment.GetEnvironmentVariable(overrideVariable);
        foreach (var name in string.IsNullOrEmpty(fromVariable) ? names : [fromVariable])
        {
            tried.Add(name);
            if (NativeLibrary.TryLoad(name, out var handle)) return new NativeLibraryProbe(handle, name);
        }
        string variable = overrideVariable is null ? "" : $" (or set {overrideVariable} to its path)";
        throw new WaveFlowException($"{what} could not be loaded: looked for {string.Join(", ", tried)}; {install}{variable}", 1);
    }

    public bool Has(string symbol) => NativeLibrary.TryGetExport(Handle, symbol, out _);

    public IntPtr Export(string symbol) =>
        NativeLibrary.TryGetExport(Handle, symbol, out var address)
            ? address
            : throw new WaveFlowException($"{Path}: has no symbol {symbol} (an unsupported version?)", 1);

    public T Function<T>(string symbol) where T : Delegate => Marshal.GetDelegateForFunctionPointer<T>(Export(symbol));
}
