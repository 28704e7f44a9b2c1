using System.CommandLine;
using WaveFlow.Cli;
using WaveFlow.Core;

namespace WaveFlow.Tests.Support;

/// <summary>Runs waveflow's command line in-process as Program.cs does, returning the exit code
/// (a <see cref="WaveFlowException"/> becomes its exit code, as the CLI's error reporter does).</summary>
internal static class CliRunner
{
    public static int Run(params string[] args) => RunWithError(args).Code;

    /// <summary>The exit code and, when a <see cref="WaveFlowException"/> ended the command, its one-line message.</summary>
    public static (int Code, string? Error) RunWithError(params string[] args)
    {
        var root = new RootCommand();
        root.Options.Add(GlobalOptions.Device);
        root.Options.Add(GlobalOptions.Threads);
        root.Options.Add(GlobalOptions.Verbose);
        foreach (var command in CommandCatalog.All()) root.Subcommands.Add(command);
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0) return (ErrorReporter.ReportParseErrors(parse)!.Value, parse.Errors[0].Message);
        try { return (parse.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false }), null); }
        catch (WaveFlowException e) { return (e.ExitCode, e.Message); }
    }
}
