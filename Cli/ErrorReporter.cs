using WaveFlow.Core;
using WaveFlow.Core.Runtime;

namespace WaveFlow.Cli;

/// <summary>Turns any exception into one line on stderr and an exit code (2 bad input, 1 failure).</summary>
internal static class ErrorReporter
{
    /// <summary>
    /// Command-line mistakes (an unknown option, a value that is not a number, a missing argument)
    /// are bad input: one line each and exit 2, where System.CommandLine would print the whole help
    /// and exit 1. Returns null when the command line parsed.
    /// </summary>
    public static int? ReportParseErrors(System.CommandLine.ParseResult parse)
    {
        if (parse.Errors.Count == 0) return null;
        foreach (var error in parse.Errors) Console.Error.WriteLine($"error: {error.Message}");
        string command = parse.CommandResult.Command.Name;
        Console.Error.WriteLine($"(waveflow {(parse.CommandResult.Command.Parents.Any() ? command + " " : "")}--help lists the options)");
        return 2;
    }

    public static int Report(Exception e, bool verbose)
    {
        var (message, code) = Describe(e);
        Console.Error.WriteLine($"error: {message}");
        if (verbose) Console.Error.WriteLine(e.ToString());
        return code;
    }

    /// <summary>The one-line message and the exit code for <paramref name="e"/>.</summary>
    public static (string Message, int ExitCode) Describe(Exception e) =>
        e switch
        {
            WaveFlowException w => (w.Message, w.ExitCode),
            TypeInitializationException { InnerException: WaveFlowException w } => (w.Message, w.ExitCode),
            FileNotFoundException f => ($"{f.FileName ?? "file"}: not found", 2),
            DirectoryNotFoundException d => ($"{d.Message.Split('\n')[0]}", 2),
            UnauthorizedAccessException u => (u.Message.Split('\n')[0], 2),
            OperationCanceledException => ("cancelled", 130),
            _ => ($"{e.GetType().Name}: {TorchRuntime.FirstLine(e)}", 1),
        };
}
