using Spectre.Console;

namespace WaveFlow.Cli;

/// <summary>Receives progress: what is being done now, and how many of how many units are done
/// (<c>total</c> ≤ 0: no known end).</summary>
internal interface IProgressReporter
{
    void Report(string description, long done, long total);
}
