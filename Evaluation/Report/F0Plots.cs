using System.Net;
using System.Text;
using WaveFlow.Audio.Dsp;
using WaveFlow.Core.Imaging;
using WaveFlow.Evaluation.Comparison;

namespace WaveFlow.Evaluation.Report;

/// <summary>
/// The report's pitch plots: per clip one chart of F0 against time, the recording (solid, first)
/// and every system, unvoiced frames left as gaps. A whispering vocoder shows as a system with
/// (almost) no line where the recording has one.
/// </summary>
internal static class F0Plots
{
    public static string Render(ReportContent content)
    {
        if (content.Audio.All(a => a.F0 is null)) return "<p>No pitch tracks.</p>";
        var sb = new StringBuilder();
        // the recording first, so it takes the first colour in every chart
        double hop = content.F0HopSeconds;
        var order = content.Systems.OrderBy(s => s.Kind == SystemKind.GroundTruth ? 0 : 1).ToList();
        foreach (var clip in content.Clips)
        {
            var series = new List<ChartSeries>();
            foreach (var s in order)
            {
                var a = content.Audio.FirstOrDefault(x => x.Clip == clip && x.System == s.Name);
                if (a?.F0 is not { } f0) continue;
                series.Add(new ChartSeries(s.Kind == SystemKind.GroundTruth ? "recording" : s.Name,
                    f0.Select((f, j) => (j * hop, f > 0 ? f : double.NaN)).ToList(), Dashed: s.Kind == SystemKind.GriffinLim));
            }
            int voiced = series.Sum(s => s.Points.Count(p => double.IsFinite(p.Y)));
            sb.Append("<h4>").Append(WebUtility.HtmlEncode(clip)).Append("</h4>\n");
            sb.Append(voiced == 0 ? "<p>No voiced frame in any system.</p>" : SvgLineChart.Render($"F0 of {clip}", "seconds", "F0 (Hz)", series));
            sb.Append('\n');
        }
        return sb.ToString();
    }
}
