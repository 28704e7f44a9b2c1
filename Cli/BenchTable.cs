using Spectre.Console;
using WaveFlow.Evaluation.Benchmarks;
using WaveFlow.Vocoder;

namespace WaveFlow.Cli;

/// <summary>The rows of <c>waveflow bench</c> as a Spectre.Console table, notes below it.</summary>
internal static class BenchTable
{
    public static void Write(IReadOnlyList<BenchRow> rows)
    {
        var table = new Table().Border(TableBorder.Rounded)
            .AddColumns("case", "prec.", "audio", "median", "CPU time", "rate", "×RT", "host peak", "device");
        var notes = new List<string>();
        foreach (var r in rows)
        {
            bool timed = r.TimesMs.Count > 0;
            string name = r.Case;
            if (r.Note is { } n) { notes.Add(n); name += $" [{notes.Count}]"; }
            table.AddRow(
                Markup.Escape(name), r.Precision, $"{r.AudioSeconds:0.##}s×{r.Batch}",
                timed ? Ms(r.MedianMs) : "", timed && r.MedianCpuMs > 0 ? Ms(r.MedianCpuMs) : "",
                timed && r.ThroughputKHz > 0 ? Rate(r.ThroughputKHz) : "", r.RealTime is { } rt ? $"{rt:F2}" : "",
                timed && r.PeakHostBytes > 0 ? $"{r.PeakHostBytes / 1048576.0:F0} MB" : "",
                r.DeviceBytes is { } d ? $"{d / 1073741824.0:F2} GB" : "");
        }
        AnsiConsole.Write(table);
        for (int i = 0; i < notes.Count; i++) AnsiConsole.MarkupLine($"[grey][[{i + 1}]] {Markup.Escape(notes[i])}[/]");
    }

    /// <summary>Whole milliseconds, with two decimals under 10 ms (the per-operation rows of --layers).</summary>
    private static string Ms(double ms) => ms < 10 ? $"{ms:F2} ms" : $"{ms:F0} ms";

    private static string Rate(double kHz) => kHz >= 1000 ? $"{kHz / 1000:F2} MHz" : $"{kHz:F1} kHz";
}
