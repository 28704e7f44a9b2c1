using System.Globalization;
using System.Net;
using System.Text;

namespace WaveFlow.Core.Imaging;

/// <summary>
/// A small self-contained SVG line chart (axes, ticks at 1-2-5 steps, a legend): the F0 tracks of
/// the compare report and the study's learning curves. No script, no external fonts; it renders
/// in browsers and in Markdown viewers that show SVG images.
/// </summary>
internal static class SvgLineChart
{
    static readonly string[] Palette = ["#222222", "#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf"];
    static readonly CultureInfo Inv = CultureInfo.InvariantCulture;
    const int Left = 60, Right = 150, Top = 28, Bottom = 42;

    public static string Render(string title, string xLabel, string yLabel, IReadOnlyList<ChartSeries> series, int width = 640, int height = 300)
    {
        var finite = series.SelectMany(s => s.Points).Where(p => double.IsFinite(p.X) && double.IsFinite(p.Y)).ToList();
        var sb = new StringBuilder();
        sb.Append(Inv, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" font-family=\"sans-serif\" font-size=\"11\">");
        sb.Append(Inv, $"<rect width=\"{width}\" height=\"{height}\" fill=\"white\"/>");
        sb.Append(Inv, $"<text x=\"{Left}\" y=\"16\" font-size=\"13\">{Enc(title)}</text>");
        if (finite.Count == 0)
        {
            sb.Append(Inv, $"<text x=\"{Left}\" y=\"{height / 2}\">no data</text></svg>");
            return sb.ToString();
        }
        var (x0, x1) = Range(finite.Select(p => p.X));
        var (y0, y1) = Range(finite.Select(p => p.Y));
        double pw = width - Left - Right, ph = height - Top - Bottom;
        double X(double x) => Left + (x - x0) / (x1 - x0) * pw;
        double Y(double y) => Top + ph - (y - y0) / (y1 - y0) * ph;

        // axes and ticks
        sb.Append(Inv, $"<rect x=\"{Left}\" y=\"{Top}\" width=\"{pw:0.#}\" height=\"{ph:0.#}\" fill=\"none\" stroke=\"#999\"/>");
        foreach (var t in Ticks(x0, x1))
            sb.Append(Inv, $"<line x1=\"{X(t):0.#}\" y1=\"{Top + ph:0.#}\" x2=\"{X(t):0.#}\" y2=\"{Top + ph + 4:0.#}\" stroke=\"#999\"/><text x=\"{X(t):0.#}\" y=\"{Top + ph + 16:0.#}\" text-anchor=\"middle\">{Num(t)}</text>");
        foreach (var t in Ticks(y0, y1))
            sb.Append(Inv, $"<line x1=\"{Left}\" y1=\"{Y(t):0.#}\" x2=\"{Left + pw:0.#}\" y2=\"{Y(t):0.#}\" stroke=\"#eee\"/><text x=\"{Left - 5}\" y=\"{Y(t) + 4:0.#}\" text-anchor=\"end\">{Num(t)}</text>");
        sb.Append(Inv, $"<text x=\"{Left + pw / 2:0.#}\" y=\"{height - 8}\" text-anchor=\"middle\">{Enc(xLabel)}</text>");
        sb.Append(Inv, $"<text transform=\"translate(14 {Top + ph / 2:0.#}) rotate(-90)\" text-anchor=\"middle\">{Enc(yLabel)}</text>");

        for (int i = 0; i < series.Count; i++)
        {
            var s = series[i];
            string color = Palette[i % Palette.Length], dash = s.Dashed ? " stroke-dasharray=\"5 3\"" : "";
            // one polyline per unbroken run of finite points; a lone point gets a dot
            var run = new List<(double X, double Y)>();
            void Flush()
            {
                if (run.Count == 1) sb.Append(Inv, $"<circle cx=\"{X(run[0].X):0.#}\" cy=\"{Y(run[0].Y):0.#}\" r=\"2\" fill=\"{color}\"/>");
                else if (run.Count > 1)
                    sb.Append(Inv, $"<polyline fill=\"none\" stroke=\"{color}\" stroke-width=\"1.5\"{dash} points=\"{string.Join(" ", run.Select(p => string.Create(Inv, $"{X(p.X):0.#},{Y(p.Y):0.#}")))}\"/>");
                run.Clear();
            }
            foreach (var p in s.Points)
            {
                if (double.IsFinite(p.X) && double.IsFinite(p.Y)) run.Add(p);
                else Flush();
            }
            Flush();
            double ly = Top + 8 + i * 16;
            sb.Append(Inv, $"<line x1=\"{Left + pw + 10:0.#}\" y1=\"{ly:0.#}\" x2=\"{Left + pw + 30:0.#}\" y2=\"{ly:0.#}\" stroke=\"{color}\" stroke-width=\"2\"{dash}/><text x=\"{Left + pw + 34:0.#}\" y=\"{ly + 4:0.#}\">{Enc(s.Name)}</text>");
        }
        return sb.Append("</svg>").ToString();
    }

    static (double Lo, double Hi) Range(IEnumerable<double> values)
    {
        double lo = values.Min(), hi = values.Max();
        if (hi - lo < 1e-12) { lo -= 1; hi += 1; }        // a flat line: a band around it
        double pad = (hi - lo) * 0.05;
        return (lo - pad, hi + pad);
    }

    /// <summary>About five ticks at a 1, 2 or 5 × 10^k step.</summary>
    static IEnumerable<double> Ticks(double lo, double hi)
    {
        double raw = (hi - lo) / 5, mag = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        double step = raw / mag < 1.5 ? mag : raw / mag < 3.5 ? 2 * mag : raw / mag < 7.5 ? 5 * mag : 10 * mag;
        for (double t = Math.Ceiling(lo / step) * step; t <= hi + 1e-9 * step; t += step) yield return Math.Abs(t) < 1e-9 * step ? 0 : t;
    }

    static string Num(double v) => Math.Abs(v) >= 1000 ? v.ToString("0", Inv) : v.ToString("0.###", Inv);
    static string Enc(string s) => WebUtility.HtmlEncode(s);
}
