using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Spectre.Console;
using WaveFlow.Core.IO;
using WaveFlow.Evaluation.Listening;

namespace WaveFlow.Cli.Commands;

/// <summary><c>waveflow compare-results R.json...</c>: pools listeners' blind A/B answers per system pair.</summary>
internal static class CompareResultsCommand
{
    public static Command Create()
    {
        var files = new Argument<string[]>("results") { Description = "results files exported from a compare report (one per listener)", Arity = ArgumentArity.OneOrMore };
        var output = new Option<string?>("--out", "-o") { Description = "also write the summary as JSON to this file" };
        var overwrite = OutputPaths.OverwriteOption();
        var command = new Command("compare-results", "Aggregate listeners' A/B answers: preference share per model pair and an exact sign-test p-value") { files, output, overwrite };
        command.SetAction(result =>
        {
            var paths = result.GetValue(files)!;
            var loaded = paths.Select(p => (p, ListeningResults.Read(p))).ToList();
            if (result.GetValue(output) is { } target) OutputPaths.PrepareFile(target, result.GetValue(overwrite));
            var summary = PreferenceSummary.Aggregate(loaded);
            var reports = loaded.Select(l => l.Item2.ReportId).Distinct().ToList();

            var table = new Table().Border(TableBorder.Rounded)
                .AddColumns("A", "B", "A wins", "B wins", "ties", "A share", "p", "listeners");
            foreach (var p in summary)
                table.AddRow(Markup.Escape(p.SystemA), Markup.Escape(p.SystemB), $"{p.WinsA}", $"{p.WinsB}", $"{p.Ties}",
                    p.ShareA is { } s ? s.ToString("P0", CultureInfo.InvariantCulture) : "—",
                    p.PValue.ToString("0.####", CultureInfo.InvariantCulture), $"{p.Listeners}");
            AnsiConsole.Write(table);
            Console.WriteLine($"{loaded.Count} listener file(s), {loaded.Sum(l => l.Item2.Answers.Count)} answers, report(s) {string.Join(", ", reports)}.");
            Console.WriteLine("A's share counts decisive answers only; the two-sided exact sign test leaves \"no preference\" out.");
            if (reports.Count > 1) Console.WriteLine("note: the files come from different reports; pooled by system name.");

            if (result.GetValue(output) is { } outPath)
            {
                var json = JsonSerializer.SerializeToUtf8Bytes(new
                {
                    format = "waveflow-ab-summary",
                    version = 1,
                    files = paths,
                    reports,
                    pairs = summary.Select(p => new { a = p.SystemA, b = p.SystemB, winsA = p.WinsA, winsB = p.WinsB, ties = p.Ties, shareA = p.ShareA, pValue = p.PValue, listeners = p.Listeners }),
                }, new JsonSerializerOptions { WriteIndented = true });
                AtomicFile.WriteAllBytes(outPath, json);
                Console.WriteLine($"wrote {outPath}");
            }
            return 0;
        });
        return command;
    }
}
