namespace WaveFlow;

/// <summary>
/// An error meant for a user: one line that names the file (or key) and the problem.
/// The CLI prints <see cref="Exception.Message"/> alone and exits with <see cref="ExitCode"/>.
/// </summary>
public class WaveFlowException : Exception
{
    /// <summary>2 for bad input (files, options, configs); 1 for failures while working.</summary>
    public int ExitCode { get; }

    public WaveFlowException(string message, int exitCode = 2, Exception? inner = null)
        : base(message, inner) => ExitCode = exitCode;

    /// <summary>An error about a file: "path: problem".</summary>
    public static WaveFlowException ForFile(string path, string problem, Exception? inner = null) =>
        new($"{path}: {problem}", 2, inner);
}
