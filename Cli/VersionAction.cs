using System.CommandLine;
using System.CommandLine.Invocation;
using WaveFlow.Core.Runtime;

namespace WaveFlow.Cli;

/// <summary><c>waveflow --version</c>: WaveFlow, TorchSharp and libtorch versions on one line each.</summary>
internal sealed class VersionAction : SynchronousCommandLineAction
{
    public override int Invoke(ParseResult parseResult)
    {
        Console.WriteLine($"waveflow {TorchRuntime.WaveFlowVersion}");
        Console.WriteLine($"TorchSharp {TorchRuntime.TorchSharpVersion}");
        Console.WriteLine($"libtorch {TorchRuntime.LibTorchVersion} ({TorchRuntime.Source})");
        return 0;
    }
}
