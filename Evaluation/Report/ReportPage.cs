using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using WaveFlow.Evaluation.Comparison;
using WaveFlow.Evaluation.Listening;
using WaveFlow.Vocoder;

namespace WaveFlow.Evaluation.Report;

/// <summary>
/// Renders a <see cref="ReportContent"/> into the one self-contained HTML page: tables are built here,
/// the blind test is built in the browser from the embedded data (opaque audio ids, scrambled key).
/// </summary>
internal static class ReportPage
{
    static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static string Render(ReportContent content, DateTimeOffset? generated = null)
    {
        var rendered = content.Audio.Select(a => (a.Clip, a.System)).ToList();
        var pairs = AbPlan.Create(content.Systems.Select(s => s.Name).ToList(), rendered, content.Seed);
        var ids = AbPlan.AudioIds(rendered, content.Seed);
        var reportId = content.ReportId;

        var key = ids.ToDictionary(kv => kv.Value, kv => kv.Key.System);
        var data = new
        {
            reportId,
            pairs = pairs.Select(p => new { id = p.Id, clip = p.Clip, left = ids[(p.Clip, p.Left)], right = ids[(p.Clip, p.Right)] }),
            audio = content.Audio.ToDictionary(a => ids[(a.Clip, a.System)], a => "data:audio/wav;base64," + Convert.ToBase64String(a.Wav)),
            key = Scramble(JsonSerializer.Serialize(key), reportId),
        };
        // The default encoder escapes <, > and & as \u003C..., so "</script>" cannot appear in the data.
        var json = JsonSerializer.Serialize(data);

        return new StringBuilder(ReportResources.Template)
            .Replace("{{TITLE}}", Enc(content.Title))
            .Replace("{{REPORT_ID}}", reportId)
            .Replace("{{SOURCE}}", Enc(content.Source))
            .Replace("{{SIGMA}}", content.Sigma.ToString("0.###", Inv))
            .Replace("{{SEED}}", content.Seed.ToString(Inv))
            .Replace("{{GENERATED}}", (generated ?? DateTimeOffset.UtcNow).ToString("yyyy-MM-dd HH:mm 'UTC'", Inv))
            .Replace("{{MEANS}}", ScoreTable(content.Means(), withClip: false))
            .Replace("{{STRUCTURE}}", StructureTable(content.Systems))
            .Replace("{{PER_CLIP}}", ScoreTable(content.Scores, withClip: true))
            .Replace("{{F0_PLOTS}}", F0Plots.Render(content))
            .Replace("{{SPECTROGRAMS}}", Spectrograms(content))
            .Replace("{{DATA}}", json)
            .ToString();
    }

    /// <summary>XOR with the report id's bytes, then base64; the page's script undoes it at export.</summary>
    internal static string Scramble(string text, string salt)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        var s = Encoding.UTF8.GetBytes(salt);
        for (int i = 0; i < bytes.Length; i++) bytes[i] ^= s[i % s.Length];
        return Convert.ToBase64String(bytes);
    }

    internal static string Unscramble(string base64, string salt)
    {
        var bytes = Convert.FromBase64String(base64);
        var s = Encoding.UTF8.GetBytes(salt);
        for (int i = 0; i < bytes.Length; i++) bytes[i] ^= s[i % s.Length];
        return Encoding.UTF8.GetString(bytes);
    }

    static string Enc(string s) => WebUtility.HtmlEncode(s);

    static string F(double? v, string format) => v is { } x ? x.ToString(format, Inv) : "—";

    /// <summary>A measure against a recording that has no frames to be measured on: "n/a"; without a recording: "—".</summary>
    static string NA(ClipScore r, double? v, string format) => v is null && r.VoicingError is not null ? "n/a" : F(v, format);

    /// <summary>The F0 RMSE; on a mean row, how many clips had none (their recording voiced, the output not).</summary>
    static string F0Cell(ClipScore r)
    {
        string v = NA(r, r.F0RmseCents, "0.0");
        return r.F0MissingClips is > 0 and var m ? $"{v} ({m} clip{(m == 1 ? "" : "s")} n/a)" : v;
    }

    static string ScoreTable(IReadOnlyList<ClipScore> rows, bool withClip)
    {
        var sb = new StringBuilder("<table><thead><tr>");
        if (withClip) sb.Append("<th>clip</th>");
        sb.Append("<th>system</th><th>log-mel L1</th><th>MCD (dB)</th><th>SC</th><th>F0 RMSE (cents)</th><th>F0 gross errors</th><th>F0 fine RMSE (cents)</th><th>pitch wobble (cents)</th><th>F0 / wobble frames</th><th>coverage</th><th>V→UV</th><th>UV→V</th><th>V/UV error</th><th>HNR (dB)</th><th>HNR gap (dB)</th><th>tremolo</th><th>envelope lag (ms)</th><th>NLL (σ = 1)</th><th>RTF</th><th>seconds</th></tr></thead><tbody>\n");
        foreach (var r in rows)
        {
            sb.Append("<tr>");
            if (withClip) sb.Append("<td class=\"l\">").Append(Enc(r.Clip)).Append("</td>");
            sb.Append("<td class=\"l\">").Append(Enc(r.System)).Append("</td>")
              .Append("<td>").Append(F(r.LogMelL1, "0.0000")).Append("</td>")
              .Append("<td>").Append(F(r.Mcd, "0.00")).Append("</td>")
              .Append("<td>").Append(F(r.SpectralConvergence, "0.0000")).Append("</td>")
              // no frame voiced in both: the F0 error does not exist (with a recording), "n/a"
              .Append("<td>").Append(F0Cell(r)).Append("</td>")
              .Append("<td>").Append(NA(r, r.F0GrossErrorRate, "0.000")).Append("</td>")
              .Append("<td>").Append(NA(r, r.F0FineRmseCents, "0.0")).Append("</td>")
              .Append("<td>").Append(NA(r, r.PitchWobbleCents, "0.0")).Append("</td>")
              .Append("<td>").Append(r.F0Frames is { } ff ? $"{ff} / {r.WobbleFrames ?? 0}" : "—").Append("</td>")
              .Append("<td>").Append(F(r.F0Coverage, "0.000")).Append("</td>")
              .Append("<td>").Append(F(r.VoicedToUnvoiced, "0.000")).Append("</td>")
              .Append("<td>").Append(F(r.UnvoicedToVoiced, "0.000")).Append("</td>")
              .Append("<td>").Append(F(r.VoicingError, "0.000")).Append("</td>")
              .Append("<td>").Append(F(r.HnrDb, "0.0")).Append("</td>")
              .Append("<td>").Append(F(r.HnrGapDb, "0.0")).Append("</td>")
              .Append("<td>").Append(F(r.TremoloIndex, "0.000")).Append("</td>")
              .Append("<td>").Append(F(r.TremoloLagMs, "0.0")).Append("</td>")
              .Append("<td>").Append(F(r.Nll, "0.0000")).Append("</td>")
              .Append("<td>").Append(F(r.RealTimeFactor, "0.000")).Append("</td>")
              .Append("<td>").Append(F(r.AudioSeconds, "0.00")).Append("</td></tr>\n");
        }
        return sb.Append("</tbody></table>").ToString();
    }

    static string StructureTable(IReadOnlyList<SystemInfo> systems)
    {
        var models = systems.Where(s => s.Kind == SystemKind.Model).ToList();
        if (models.Count == 0) return "<p>No models.</p>";
        (string Name, Func<SystemInfo, string> Value)[] columns =
        [
            ("flows", s => S(s.Structure?.Flows)),
            ("WN layers", s => S(s.Structure?.WnLayers)),
            ("channels", s => S(s.Structure?.Channels)),
            ("kernel", s => S(s.Structure?.KernelSize)),
            ("group", s => S(s.Structure?.Group)),
            ("early every", s => S(s.Structure?.EarlyEvery)),
            ("early size", s => S(s.Structure?.EarlySize)),
            ("coupling", s => s.Structure?.Coupling ?? "—"),
            ("permutation", s => s.Structure?.Permutation ?? "—"),
            ("prior scale", s => s.Structure is { } st ? (st.PriorScale ? "learned" : "none") : "—"),
            ("mel channels", s => S(s.Structure?.MelChannels)),
            ("parameters", s => s.Parameters is { } p ? p.ToString("N0", Inv) : "—"),
            ("checkpoint", s => s.CheckpointBytes is { } b ? $"{b / 1048576.0:0.00} MiB" : "—"),
            ("format", s => s.CheckpointKind ?? "—"),
        ];
        var sb = new StringBuilder("<table><thead><tr><th>model</th>");
        foreach (var c in columns) sb.Append("<th>").Append(Enc(c.Name)).Append("</th>");
        sb.Append("</tr></thead><tbody>\n");
        foreach (var m in models)
        {
            sb.Append("<tr><td>").Append(Enc(m.Name)).Append("</td>");
            foreach (var c in columns)
            {
                // a cell is highlighted when the models disagree on that column
                bool differs = models.Select(c.Value).Distinct().Count() > 1;
                sb.Append(differs ? "<td class=\"differs\">" : "<td>").Append(Enc(c.Value(m))).Append("</td>");
            }
            sb.Append("</tr>\n");
        }
        return sb.Append("</tbody></table>").ToString();

        static string S(int? v) => v?.ToString(Inv) ?? "—";
    }

    static string Spectrograms(ReportContent content)
    {
        var sb = new StringBuilder();
        foreach (var clip in content.Clips)
        {
            sb.Append("<h4>").Append(Enc(clip)).Append("</h4><div class=\"spectros\">\n");
            if (content.InputSpectrograms?.TryGetValue(clip, out var input) == true)
                Figure(sb, "input mel", input);
            foreach (var s in content.Systems)
            {
                var a = content.Audio.FirstOrDefault(x => x.Clip == clip && x.System == s.Name);
                if (a?.SpectrogramPng is { } png) Figure(sb, s.Name, png);
            }
            sb.Append("</div>\n");
        }
        return sb.ToString();

        static void Figure(StringBuilder sb, string caption, byte[] png) =>
            sb.Append("<figure><img alt=\"").Append(Enc(caption)).Append("\" src=\"data:image/png;base64,")
              .Append(Convert.ToBase64String(png)).Append("\"><figcaption>").Append(Enc(caption)).Append("</figcaption></figure>\n");
    }
}
