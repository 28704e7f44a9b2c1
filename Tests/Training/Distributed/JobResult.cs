using System.Diagnostics;
using System.Text;

namespace WaveFlow.Tests.Training.Distributed;

/// <summary>What a finished job printed and how it ended.</summary>
internal sealed record JobResult(int ExitCode, string Stdout, string Stderr, TimeSpan Elapsed, bool TimedOut)
{
    public string Output => Stdout + Stderr;
    public override string ToString() => $"exit {ExitCode} after {Elapsed.TotalSeconds:F1} s{(TimedOut ? " (timed out)" : "")}\n--- stdout\n{Stdout}\n--- stderr\n{Stderr}";
}
