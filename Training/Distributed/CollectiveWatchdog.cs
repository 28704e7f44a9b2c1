using System.Diagnostics;

namespace WaveFlow.Training.Distributed;

/// <summary>
/// Turns a collective that makes no progress into an error that ends the job. A collective
/// blocks until every rank has joined it, so a rank that hangs (a deadlocked reader, a GPU
/// fault, a lost node) would otherwise keep all the others waiting forever. A background thread
/// checks, about ten times per timeout, how long the current collective has been running and
/// whether the poll function reports an asynchronous error (NCCL); either one calls
/// the stall handler once with a one-line reason (which aborts the job).
/// </summary>
internal sealed class CollectiveWatchdog : IDisposable
{
    private readonly TimeSpan _timeout;
    private readonly Action<string> _onStall;
    private readonly Func<string?>? _poll;
    private readonly Thread _thread;
    private readonly CancellationTokenSource _stop = new();
    private long _startedTimestamp;          // 0: not inside a collective
    private string _what = "";
    private int _fired;

    public CollectiveWatchdog(TimeSpan timeout, Action<string> onStall, Func<string?>? poll = null)
    {
        if (timeout <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(timeout));
        (_timeout, _onStall, _poll) = (timeout, onStall, poll);
        _thread = new Thread(Watch) { IsBackground = true, Name = "collective watchdog" };
        _thread.Start();
    }

    public TimeSpan Timeout => _timeout;

    /// <summary>Marks the start of a collective; disposing the result marks its end.</summary>
    public Span Enter(string what)
    {
        _what = what;
        Interlocked.Exchange(ref _startedTimestamp, Stopwatch.GetTimestamp());
        return new Span(this);
    }

    public readonly struct Span(CollectiveWatchdog owner) : IDisposable
    {
        public void Dispose() => Interlocked.Exchange(ref owner._startedTimestamp, 0);
    }

    private void Watch()
    {
        var tick = TimeSpan.FromMilliseconds(Math.Clamp(_timeout.TotalMilliseconds / 10, 50, 1000));
        while (!_stop.Token.WaitHandle.WaitOne(tick))
        {
            long started = Interlocked.Read(ref _startedTimestamp);
            string? reason = null;
            if (started != 0 && Stopwatch.GetElapsedTime(started) > _timeout)
                reason = $"{_what} made no progress for {_timeout.TotalSeconds:0.#} s (dist_config.watchdog_seconds); another rank has stopped or hangs";
            reason ??= _poll?.Invoke();
            if (reason is not null && Interlocked.Exchange(ref _fired, 1) == 0)
            {
                _onStall(reason);
                return;
            }
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        if (_thread != Thread.CurrentThread) _thread.Join(TimeSpan.FromSeconds(2));
        _stop.Dispose();
    }
}
