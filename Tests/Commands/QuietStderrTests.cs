using System.Diagnostics;
using WaveFlow.Tests.Support;

namespace WaveFlow.Tests.Commands;

/// <summary>
/// The README's main command, as a real process: a successful synthesis writes nothing to stderr.
/// libtorch's NNPACK, tried by 2-D convolutions of batch ≥ 16, printed "Could not initialize
/// NNPACK! Reason: Unsupported hardware." there on CPUs it does not know (128 lines for the
/// three sample mels in 64-frame chunks on this project's AMD EPYC) until it was switched off at
/// load (Core/Runtime/Nnpack.cs).
/// </summary>
public class QuietStderrTests
{
    [Fact]
    public async Task ChunkedSynthesisOfTheSampleMelsWritesNothingToStderr()
    {
        using var dir = new TempDir();
        string bin = AppContext.BaseDirectory;
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true };
        psi.ArgumentList.Add(Path.Combine(bin, "waveflow.dll"));
        psi.ArgumentList.Add("synthesize");
        psi.ArgumentList.Add("--checkpoint");
        psi.ArgumentList.Add(Path.Combine(bin, "samples", "model", "waveflow-small.safetensors"));
        foreach (var mel in Directory.GetFiles(Path.Combine(bin, "samples", "mels"), "*.mel.npy").Order())
            psi.ArgumentList.Add(mel);
        foreach (var a in new[] { "--chunk", "64", "--seed", "1", "-o", dir.Path })
            psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        string stderr = await p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        await stdout;
        Assert.Equal(0, p.ExitCode);
        Assert.Equal(3, Directory.GetFiles(dir.Path, "*.wav").Length);
        Assert.Equal("", stderr);
    }
}
