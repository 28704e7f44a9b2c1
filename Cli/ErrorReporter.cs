namespace WaveFlow.Cli;

/// <summary>Turns any exception into one line on stderr and an exit code (2 bad input, 1 failure).</summary>
public static class ErrorReporter
{
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
