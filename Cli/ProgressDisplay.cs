using Spectre.Console;

namespace WaveFlow.Cli;

/// <summary>
/// The one progress display of every long command (synthesize, mel, griffinlim, eval, compare,
/// score, study, train): Spectre's live bar on an interactive terminal (description, bar, percentage,
/// elapsed and remaining time); plain lines with an ETA otherwise (redirected output, CI logs,
/// tests), where a live display has nothing to redraw and Spectre allows only one at a time per process.
/// </summary>
internal static class ProgressDisplay
{
    /// <summary>A plain line at most this often in logs of long runs (training reports every step).</summary>
    public static readonly TimeSpan LogInterval = TimeSpan.FromSeconds(10);

    /// <summary>True when a live display can redraw: an interactive terminal, output not redirected.</summary>
    public static bool Live => AnsiConsole.Profile.Capabilities.Interactive && !Console.IsOutputRedirected;

    /// <summary>
    /// Work over items: <paramref name="work"/> reports (item, done, total) as it starts each item and
    /// ("done", total, total) at the end. Plain output is one line an item: <c>[k/n] item  ETA hh:mm:ss</c>.
    /// </summary>
    public static T Run<T>(string title, Func<Action<string, int, int>, T> work) =>
        Run(title, total: 0, plainEvery: TimeSpan.Zero, reporter =>
            work((item, done, total) => reporter.Report($"[{Math.Min(done + 1, total)}/{total}] {item}", done, total)));

    /// <summary>
    /// Runs <paramref name="work"/>, which reports through the reporter it is given. <paramref name="total"/>
    /// (≤ 0: unknown until reported) sizes the bar; plain output prints a line when at least
    /// <paramref name="plainEvery"/> has passed since the last one, and at the end.
    /// </summary>
    public static T Run<T>(string title, long total, TimeSpan plainEvery, Func<IProgressReporter, T> work)
    {
        if (!Live) return work(new PlainProgress(Console.Out, plainEvery));
        T result = default!;
        AnsiConsole.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(),
                     new ElapsedTimeColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask(Markup.Escape(title), maxValue: Math.Max(1, total));
                task.IsIndeterminate = total <= 0;
                result = work(new LiveProgress(task));
                task.StopTask();
            });
        return result;
    }

    /// <summary>hh:mm:ss, with days in front past 24 hours ("3d 04:10"), and "> 1 year" past that.</summary>
    public static string FormatEta(double seconds)
    {
        if (!double.IsFinite(seconds) || seconds > 365 * 86400.0) return "> 1 year";
        var t = TimeSpan.FromSeconds(Math.Max(0, seconds));
        return t.TotalDays >= 1 ? $"{(int)t.TotalDays}d {t:hh\\:mm}" : $"{t:hh\\:mm\\:ss}";
    }

    private sealed class LiveProgress(ProgressTask task) : IProgressReporter
    {
        public void Report(string description, long done, long total)
        {
            if (total > 0)
            {
                task.IsIndeterminate = false;
                task.MaxValue = total;
            }
            task.Description = Markup.Escape(description);
            task.Value = done;
        }
    }
}
