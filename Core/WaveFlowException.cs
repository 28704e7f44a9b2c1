namespace WaveFlow.Core;

/// <summary>
/// An error meant for a user: one line that names the file (or key) and the problem.
/// The CLI prints <see cref="Exception.Message"/> alone and exits with <see cref="ExitCode"/>.
/// </summary>
public class WaveFlowException : Exception
{
    /// <summary>2 for bad input (files, options, configs); 1 for failures while working.</summary>
    public int ExitCode { get; }

    /// <summary>An error with a one-line message (control characters escaped, see <see cref="OneLine"/>).</summary>
    /// <param name="message">what went wrong, naming the file or key</param>
    /// <param name="exitCode">2 for bad input, 1 for a failure while working</param>
    /// <param name="inner">the exception behind it, if any</param>
    public WaveFlowException(string message, int exitCode = 2, Exception? inner = null)
        : base(OneLine(message), inner) => ExitCode = exitCode;

    /// <summary>
    /// Messages quote text from damaged files (keys, names, header fragments); a control character
    /// there must not break the one-line contract or rewrite the terminal, so each is shown escaped.
    /// </summary>
    public static string OneLine(string message)
    {
        if (!message.Any(char.IsControl)) return message;
        var sb = new System.Text.StringBuilder(message.Length + 8);
        foreach (char c in message)
            sb.Append(c switch { '\n' => "\\n", '\r' => "\\r", '\t' => "\\t", _ when char.IsControl(c) => $"\\x{(int)c:x2}", _ => c.ToString() });
        return sb.ToString();
    }

    /// <summary>An error about a file: "path: problem".</summary>
    public static WaveFlowException ForFile(string path, string problem, Exception? inner = null) =>
        new($"{path}: {problem}", 2, inner);
}
