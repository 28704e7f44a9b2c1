using System.CommandLine;
using WaveFlow.Cli;
using WaveFlow.Core;

namespace WaveFlow.Tests.Support;

/// <summary>Runs waveflow's command line in-process, with the root Program.cs uses (<see cref="CliRoot"/>),
/// returning the exit code (a <see cref="WaveFlowException"/> becomes its exit code, as the CLI's error reporter does).</summary>
internal static class CliRunner
{
    public static int Run(params string[] args) => RunWithError(args).Code;

    /// <summary>Parses and runs <paramref name="args"/>, letting any exception out (for tests that assert on it).</summary>
    public static int Invoke(params string[] args) =>
        CliRoot.Create().Parse(args).Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });

    /// <summary>The exit code and, when a <see cref="WaveFlowException"/> ended the command, its one-line message.</summary>
    public static (int Code, string? Error) RunWithError(params string[] args)
    {
        var parse = CliRoot.Create().Parse(args);
        if (parse.Errors.Count > 0) return (ErrorReporter.ReportParseErrors(parse)!.Value, parse.Errors[0].Message);
        try { return (parse.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false }), null); }
        catch (WaveFlowException e) { return (e.ExitCode, e.Message); }
    }
}
