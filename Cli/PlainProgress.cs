using System.Diagnostics;

namespace WaveFlow.Cli;

/// <summary>
/// Progress as plain lines, for logs: the description and, once the rate is known, the time left
/// at the rate since the first report (<c>  ETA hh:mm:ss</c>). A line when at least the interval has
/// passed since the last one (the first: since the start), and always when done reaches total.
/// </summary>
internal sealed class PlainProgress : IProgressReporter
{
    private readonly TextWriter _out;
    private readonly TimeSpan _every;
    private readonly Func<TimeSpan> _clock;
    private TimeSpan _lastLine;
    private (TimeSpan At, long Done)? _first;

    /// <param name="output">Where the lines go.</param>
    /// <param name="every">The least time between two lines (zero: a line every report).</param>
    /// <param name="clock">Time since the start (tests pass their own).</param>
    public PlainProgress(TextWriter output, TimeSpan every, Func<TimeSpan>? clock = null)
    {
        _out = output;
        _every = every;
        if (clock is null)
        {
            var watch = Stopwatch.StartNew();
            clock = () => watch.Elapsed;
        }
        _clock = clock;
    }

    public void Report(string description, long done, long total)
    {
        var now = _clock();
        _first ??= (now, done);
        bool end = total > 0 && done >= total;
        if (!end && now - _lastLine < _every) return;
        _lastLine = now;
        string eta = "";
        var (at, from) = _first.Value;
        if (!end && total > 0 && done > from && now > at)
            eta = $"  ETA {ProgressDisplay.FormatEta((total - done) * (now - at).TotalSeconds / (done - from))}";
        _out.WriteLine(description + eta);
    }
}
