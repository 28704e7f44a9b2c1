using System.Reflection;
using System.Runtime.InteropServices;
using TorchSharp;

namespace WaveFlow.Core.Runtime;

/// <summary>
/// Loads libtorch once per process. With the <c>external</c> backend (or whenever
/// WAVEFLOW_TORCH_LIB is set) the libtorch of an existing PyTorch install is loaded from that
/// folder first, CUDA libraries included, and then our own libLibTorchSharp.so.
/// </summary>
internal static class TorchRuntime
{
    public const string TorchLibVariable = "WAVEFLOW_TORCH_LIB";
    private static readonly object Gate = new();
    private static bool loaded;

    /// <summary>Where libtorch came from: "package", or the WAVEFLOW_TORCH_LIB folder.</summary>
    public static string Source { get; private set; } = "package";

    public static void EnsureLoaded()
    {
        if (loaded) return;
        lock (Gate)
        {
            if (loaded) return;
            OpenMpWaitPolicy.PreferPassive();   // before libtorch (and its OpenMP runtime) loads
            NativeHeap.KeepFreedBlocks();       // before libtorch's first large temporary
            var external = Environment.GetEnvironmentVariable(TorchLibVariable);
#if TORCH_EXTERNAL
            if (string.IsNullOrEmpty(external))
                throw new WaveFlowException($"this build uses an external libtorch: set {TorchLibVariable} to a PyTorch install's torch/lib folder", 1);
#endif
            if (!string.IsNullOrEmpty(external)) LoadExternal(external);
            try
            {
                torch.InitializeDeviceType(DeviceType.CPU);
            }
            catch (Exception e)
            {
                throw new WaveFlowException($"libtorch failed to load ({Source}): {FirstLine(e)}", 1, e);
            }
            MklVendorDispatch.Apply();         // before the first matrix product
            Nnpack.Disable();                  // before the first convolution
            loaded = true;
        }
    }

    private static void LoadExternal(string dir)
    {
        if (!Directory.Exists(dir))
            throw new WaveFlowException($"{TorchLibVariable}={dir}: folder not found", 1);
        Source = Path.GetFullPath(dir);
        // Order matters: the dependencies first, so that the loader resolves them from this folder.
        string[] libs = OperatingSystem.IsWindows()
            ? ["c10.dll", "torch_cpu.dll", "c10_cuda.dll", "torch_cuda.dll", "torch.dll"]
            : ["libc10.so", "libtorch_cpu.so", "libc10_cuda.so", "libtorch_cuda.so", "libtorch.so"];
        foreach (var lib in libs)
        {
            var path = Path.Combine(dir, lib);
            if (File.Exists(path)) NativeLibrary.Load(path);
        }
        var own = Path.Combine(AppContext.BaseDirectory, OperatingSystem.IsWindows() ? "LibTorchSharp.dll" : "libLibTorchSharp.so");
        if (!File.Exists(own))
            own = Path.Combine(AppContext.BaseDirectory, "runtimes", RuntimeInformation.RuntimeIdentifier, "native", Path.GetFileName(own));
        if (File.Exists(own)) NativeLibrary.Load(own);
    }

    public static string TorchSharpVersion =>
        typeof(torch).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? typeof(torch).Assembly.GetName().Version?.ToString() ?? "?";

    public static string WaveFlowVersion =>
        typeof(TorchRuntime).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "?";

    /// <summary>The libtorch version: from the external install's version.py, else the package we were built with.</summary>
    public static string LibTorchVersion
    {
        get
        {
            if (Source != "package")
            {
                var versionPy = Path.Combine(Source, "..", "version.py");
                if (File.Exists(versionPy))
                    foreach (var line in File.ReadLines(versionPy))
                        if (line.StartsWith("__version__", StringComparison.Ordinal))
                            return line.Split('=')[1].Trim().Trim('\'', '"');
                return "unknown (external)";
            }
            return typeof(TorchRuntime).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
                .FirstOrDefault(a => a.Key == "LibTorchVersion")?.Value ?? "?";
        }
    }

    /// <summary>Paths of the loaded libtorch and LibTorchSharp libraries (Linux: from /proc/self/maps).</summary>
    public static IReadOnlyList<string> LoadedLibraries()
    {
        var found = new SortedSet<string>(StringComparer.Ordinal);
        if (File.Exists("/proc/self/maps"))
            foreach (var line in File.ReadLines("/proc/self/maps"))
            {
                int slash = line.IndexOf('/');
                if (slash < 0) continue;
                var path = line[slash..];
                var name = Path.GetFileName(path);
                if (name.StartsWith("libtorch_cpu", StringComparison.Ordinal) || name.StartsWith("libtorch_cuda", StringComparison.Ordinal)
                    || name.StartsWith("libLibTorchSharp", StringComparison.Ordinal))
                    found.Add(path);
            }
        return found.ToList();
    }

    public static string FirstLine(Exception e)
    {
        var inner = e;
        while (inner.InnerException is not null) inner = inner.InnerException;
        return inner.Message.Split('\n')[0].Trim();
    }
}
