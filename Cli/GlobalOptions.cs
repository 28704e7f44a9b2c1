using System.CommandLine;
using WaveFlow.Core;
using WaveFlow.Core.Runtime;

namespace WaveFlow.Cli;

/// <summary>Options every command shares: where to compute, and how much to say.</summary>
internal static class GlobalOptions
{
    public static readonly Option<string> Device = new("--device")
    {
        Description = "auto (CUDA when available), cpu, cuda or cuda:N",
        DefaultValueFactory = _ => "auto",
        Recursive = true,
    };

    public static readonly Option<bool> Verbose = new("--verbose")
    {
        Description = "print stack traces with errors",
        Recursive = true,
    };

    public static readonly Option<int?> Threads = new("--threads")
    {
        Description = "CPU threads for libtorch (default: libtorch's choice)",
        Recursive = true,
    };

    /// <summary>Resolves --device and applies --threads; loads libtorch.</summary>
    public static TorchSharp.torch.Device ResolveDevice(ParseResult result)
    {
        ApplyThreads(result);
        return DeviceSpec.Resolve(result.GetValue(Device));
    }

    /// <summary>Loads libtorch and applies --threads.</summary>
    public static void ApplyThreads(ParseResult result)
    {
        TorchRuntime.EnsureLoaded();
        var threads = result.GetValue(Threads);
        if (threads is { } n)
        {
            if (n < 1) throw new WaveFlowException($"--threads {n}: must be at least 1");
            TorchSharp.torch.set_num_threads(n);
        }
    }
}
