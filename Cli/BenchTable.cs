using Spectre.Console;
using WaveFlow.Vocoder.Benchmarks;

namespace WaveFlow.Cli;

/// <summary>The rows of <c>waveflow bench</c> as a Spectre.Console table.</summary>
internal static class BenchTable
{
    public static void Write(IReadOnlyList<BenchRow> rows)
    {
        var table = new Table().Border(TableBorder.Rounded)
            .AddColumns("case", "precision", "audio", "median", "min", "throughput", "× real time", "host peak", "device", "note");
        foreach (var r in rows)
        {
            bool timed = r.TimesMs.Count > 0;
            table.AddRow(
                Markup.Escape(r.Case), r.Precision, $"{r.AudioSeconds:0.##} s × {r.Batch}",
                timed ? $"{r.MedianMs:F1} ms" : "", timed ? $"{r.MinMs:F1} ms" : "",
                timed ? Rate(r.ThroughputKHz) : "", r.RealTime is { } rt ? $"{rt:F2}×" : "",
                timed ? $"{r.PeakHostBytes / 1048576.0:F0} MB (+{(r.PeakHostBytes - r.HostStartBytes) / 1048576.0:F0})" : "",
                r.DeviceBytes is { } d ? $"{d / 1073741824.0:F2} GB" : "",
                Markup.Escape(r.Note ?? ""));
        }
        AnsiConsole.Write(table);
    }

    private static string Rate(double kHz) => kHz >= 1000 ? $"{kHz / 1000:F2} MHz" : $"{kHz:F1} kHz";
}
