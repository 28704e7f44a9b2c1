using System.Text.Json;
using System.Text.RegularExpressions;
using WaveFlow.Evaluation.Listening;
using WaveFlow.Evaluation.Report;

namespace WaveFlow.Tests.Evaluation;

public class ReportPageTests
{
    [Fact]
    public void PlanAsksEveryUnorderedPairOnEveryClipOnceInASeededOrder()
    {
        string[] systems = ["a", "b", "c", "d"];
        var rendered = (from clip in new[] { "x", "y", "z" } from s in systems select (clip, s)).ToList();
        var plan = AbPlan.Create(systems, rendered, seed: 7);
        Assert.Equal(3 * 6, plan.Count);
        var asked = plan.Select(p => (p.Clip, string.CompareOrdinal(p.Left, p.Right) < 0 ? p.Left + p.Right : p.Right + p.Left)).ToList();
        Assert.Equal(asked.Count, asked.Distinct().Count());
        Assert.All(plan, p => Assert.NotEqual(p.Left, p.Right));
        Assert.Equal(plan.Select(p => p.Id), plan.Select(p => p.Id).Distinct());

        Assert.Equal(plan, AbPlan.Create(systems, rendered, seed: 7));     // same seed, same test
        Assert.NotEqual(plan, AbPlan.Create(systems, rendered, seed: 8));  // another seed, another order
        // both sides get used: "a" is not always on the left
        Assert.Contains(plan, p => p.Right == "a");
        Assert.Contains(plan, p => p.Left == "a");
        // a clip one system did not render is not asked about for that system
        var partial = AbPlan.Create(systems, rendered.Where(r => !(r.clip == "x" && r.s == "d")).ToList(), seed: 7);
        Assert.Equal(3 * 6 - 3, partial.Count);
    }

    [Fact]
    public void PageTemplateComesFromTheEmbeddedHtmlCssAndScript()
    {
        string template = ReportResources.Template;
        string css = ReportResources.Read("report.css"), js = ReportResources.Read("report.js");
        Assert.Contains("<style>\n" + css + "\n</style>", template);
        Assert.Contains("<script>\n" + js + "\n</script>", template);
        Assert.Contains("window.waveflowResults = results;", js);
        // Every placeholder the page fills is in the template; none is left after rendering.
        var placeholders = Regex.Matches(template, @"\{\{([A-Z_0-9]+)\}\}").Select(m => m.Groups[1].Value).ToHashSet();
        Assert.Equal(["DATA", "F0_PLOTS", "GENERATED", "MEANS", "PER_CLIP", "REPORT_ID", "SEED", "SIGMA", "SOURCE", "SPECTROGRAMS", "STRUCTURE", "TITLE"],
            placeholders.Order(StringComparer.Ordinal));
        Assert.DoesNotMatch(@"\{\{[A-Z_0-9]+\}\}", ReportPage.Render(SyntheticReport.Create()));
    }

    [Fact]
    public void PageIsSelfContainedAndKeepsSystemsHiddenInTheListeningTest()
    {
        var content = SyntheticReport.Create();
        var html = ReportPage.Render(content);

        // nothing is fetched from elsewhere
        Assert.DoesNotMatch(new Regex("(src|href)=\"(https?:|//)"), html);
        Assert.Contains("data:audio/wav;base64,", html);

        // the system names appear only inside the <details> that reveals them, never in the data
        int reveal = html.IndexOf("<details id=\"reveal\">", StringComparison.Ordinal);
        Assert.True(reveal > 0);
        var dataJson = Regex.Match(html, "<script id=\"waveflow-data\" type=\"application/json\">(.*?)</script>", RegexOptions.Singleline).Groups[1].Value;
        foreach (var name in SyntheticReport.Systems)
        {
            Assert.DoesNotContain(name, html[..reveal]);
            Assert.DoesNotContain(name, dataJson);
        }

        // the scrambled key maps each opaque audio id to its system: one id per (clip, system)
        using var doc = JsonDocument.Parse(dataJson);
        var root = doc.RootElement;
        var reportId = root.GetProperty("reportId").GetString()!;
        Assert.Equal(content.ReportId, reportId);
        var key = JsonSerializer.Deserialize<Dictionary<string, string>>(ReportPage.Unscramble(root.GetProperty("key").GetString()!, reportId))!;
        Assert.Equal(SyntheticReport.Clips.Length * SyntheticReport.Systems.Length, key.Count);
        Assert.Equal(key.Keys.Order(), root.GetProperty("audio").EnumerateObject().Select(p => p.Name).Order());
        // each pair's audio ids resolve to the planned systems
        var plan = AbPlan.Create(SyntheticReport.Systems, content.Audio.Select(a => (a.Clip, a.System)).ToList(), content.Seed);
        var pairs = root.GetProperty("pairs").EnumerateArray().ToList();
        Assert.Equal(plan.Count, pairs.Count);
        for (int i = 0; i < plan.Count; i++)
        {
            Assert.Equal(plan[i].Left, key[pairs[i].GetProperty("left").GetString()!]);
            Assert.Equal(plan[i].Right, key[pairs[i].GetProperty("right").GetString()!]);
        }
    }

    [Fact]
    public void TablesShowMeansAndHighlightStructureDifferences()
    {
        var content = SyntheticReport.Create();
        var means = content.Means();
        var alpha = means.Single(m => m.System == "alpha-12x8");
        Assert.Equal((0.5 + 1.5) / 2, alpha.LogMelL1!.Value, 12);
        Assert.Equal(0.25, alpha.RealTimeFactor!.Value, 12);
        Assert.Null(means.Single(m => m.System == "griffin-lim").Nll);

        var html = ReportPage.Render(content);
        Assert.Contains("<td class=\"differs\">12</td>", html);  // flows differ
        Assert.Contains("<td>affine</td>", html);                 // coupling is the same
        Assert.Contains("87,900,000", html);
    }
}
