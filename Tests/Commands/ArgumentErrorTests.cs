using System.Diagnostics;
using WaveFlow.Tests.Support;

namespace WaveFlow.Tests.Commands;

/// <summary>Command-line mistakes are bad input: one line each on stderr and exit 2 (not the help text and exit 1).</summary>
public class ArgumentErrorTests
{
    [Theory]
    [InlineData("synthesize", "--bogus", "x.npy")]
    [InlineData("griffinlim", "--iterations", "many", "x.npy", "-o", "out")]
    [InlineData("mel", "x.wav")]                                   // -o missing
    [InlineData("no-such-command")]
    public void AreExit2(params string[] args) => Assert.Equal(2, CliRunner.Run(args));

    [Fact]
    public void TheRealProgramPrintsOneLinePerErrorAndExits2()
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "waveflow.dll"), "griffinlim", "--iterations", "many", "x.npy", "-o", "out" })
            psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        string stderr = p.StandardError.ReadToEnd(), stdout = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        Assert.Equal(2, p.ExitCode);
        Assert.Empty(stdout);
        var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("error: ", lines[0]);
        Assert.Contains("many", lines[0]);
        Assert.Equal("(waveflow griffinlim --help lists the options)", lines[^1]);
    }
}
