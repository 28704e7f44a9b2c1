using Spectre.Console;

namespace WaveFlow.Cli;

/// <summary>
/// Progress for long commands: Spectre's live bar on an interactive terminal; plain "[k/n] item"
/// lines otherwise (redirected output, CI logs, tests), where a live display has nothing to redraw
/// and Spectre allows only one at a time per process.
/// </summary>
internal static class ProgressDisplay
{
    /// <summary>Runs <paramref name="work"/>, which reports (item, done, total) through the callback it is given.</summary>
    public static T Run<T>(string title, Func<Action<string, int, int>, T> work)
    {
        if (!AnsiConsole.Profile.Capabilities.Interactive || Console.IsOutputRedirected)
        {
            return work((item, done, total) =>
            {
                if (done < total) Console.WriteLine($"[{done + 1}/{total}] {item}");
            });
        }
        T result = default!;
        AnsiConsole.Progress().Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask(Markup.Escape(title));
                result = work((item, done, total) =>
                {
                    task.MaxValue = Math.Max(1, total);
                    task.Description = Markup.Escape(item);
                    task.Value = done;
                });
                task.Value = task.MaxValue;
            });
        return result;
    }
}
