using System.Text.Json;
using System.Text.Json.Nodes;
using PuppeteerSharp;
using WaveFlow.Evaluation.Listening;
using WaveFlow.Evaluation.Report;
using WaveFlow.Tests.Support;

namespace WaveFlow.Tests.Evaluation;

/// <summary>Opens a report in headless Chromium and does what a listener does: play, answer, export.</summary>
public class BrowserTests
{
    [Fact]
    public async Task ListenerPlaysAnswersAndExportsInHeadlessChromium()
    {
        var binary = SystemChromium.Find();
        if (binary is null)
            Assert.Fail("chromium is not installed (looked for /usr/bin/chromium, chromium and chromium-browser on PATH): " +
                        "this test needs it; install it with `apt-get install chromium` (.ci/run does)");

        using var tmp = new TempDir();
        var downloads = Directory.CreateDirectory(tmp["downloads"]).FullName;
        var content = SyntheticReport.Create(seed: 3);
        var page = tmp["index.html"];
        File.WriteAllText(page, ReportPage.Render(content));
        var plan = AbPlan.Create(SyntheticReport.Systems, content.Audio.Select(a => (a.Clip, a.System)).ToList(), content.Seed);

        // PuppeteerSharp drives the system Chromium (ExecutablePath): it downloads no browser of its own.
        await using var browser = await Puppeteer.LaunchAsync(new LaunchOptions
        {
            ExecutablePath = binary,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"],
            UserDataDir = tmp["profile"],
            Timeout = 60_000,
        });
        await using var context = await browser.CreateBrowserContextAsync(new BrowserContextOptions
        {
            DownloadBehavior = new DownloadBehavior { Policy = DownloadPolicy.Allow, DownloadPath = downloads },
        });
        var tab = await context.NewPageAsync();
        await tab.GoToAsync(new Uri(page).AbsoluteUri, WaitUntilNavigation.Load);
        await tab.WaitForFunctionAsync("() => typeof window.waveflowResults === 'function'", new WaitForFunctionOptions { Timeout = 30_000 });
        Assert.Equal(plan.Count, await tab.EvaluateExpressionAsync<int>("document.querySelectorAll('section.pair').length"));
        var shown = await tab.EvaluateExpressionAsync<string>("document.getElementById('pairs').innerText");
        foreach (var name in SyntheticReport.Systems) Assert.DoesNotContain(name, shown);

        // play A of the first pair for a moment: it must start and its time must advance
        var first = plan[0];
        var played = await tab.EvaluateExpressionAsync<JsonElement>($$"""
            (async () => {
              const a = document.querySelector('audio[data-pair="{{first.Id}}"][data-side="left"]');
              await a.play();
              // wait (up to 5 s on a busy machine) for the media clock to move
              for (let i = 0; i < 100 && a.currentTime === 0; i++) await new Promise(r => setTimeout(r, 50));
              const t = a.currentTime; a.pause();
              return { time: t, error: a.error ? a.error.code : 0, duration: a.duration };
            })()
            """);
        Assert.Equal(0, played.GetProperty("error").GetInt32());
        Assert.True(played.GetProperty("time").GetDouble() > 0, $"audio did not advance: {played}");
        Assert.Equal(0.4, played.GetProperty("duration").GetDouble(), 2);

        // prefer A, leave a comment, export
        await tab.EvaluateExpressionAsync($$"""
            (() => {
              document.querySelector('input[name="choice-{{first.Id}}"][value="left"]').click();
              const c = document.querySelector('#pair-{{first.Id}} textarea');
              c.value = 'A is cleaner'; c.dispatchEvent(new Event('input'));
              const l = document.getElementById('listener');
              l.value = 'test listener'; l.dispatchEvent(new Event('input'));
              document.getElementById('export').click();
              return true;
            })()
            """);
        // Chromium writes a download as *.crdownload and renames it when complete.
        var done = DateTime.UtcNow.AddSeconds(30);
        while (Directory.GetFiles(downloads, "*.json").Length == 0)
        {
            Assert.True(DateTime.UtcNow < done, "the results file was not downloaded in 30 s");
            await Task.Delay(100);
        }
        var file = Directory.GetFiles(downloads, "*.json").Single();
        Assert.Equal($"waveflow-ab-{content.ReportId}-test_listener.json", Path.GetFileName(file));

        var results = ListeningResults.Read(file);
        Assert.Equal(content.ReportId, results.ReportId);
        Assert.Equal("test listener", results.Listener);
        Assert.Equal(plan.Count, results.Pairs);
        var answer = Assert.Single(results.Answers);
        Assert.Equal((first.Id, first.Clip, first.Left, first.Right, "left", "A is cleaner"), (answer.Pair, answer.Clip, answer.Left, answer.Right, answer.Choice, answer.Comment));
        Assert.Equal(first.Left, answer.Preferred);
        Assert.True(answer.LeftPlays >= 1);
        Assert.Equal(0, answer.RightPlays);

        // the same answers through window.waveflowResults() and the hidden element
        var viaFunction = await tab.EvaluateExpressionAsync<string>("JSON.stringify(window.waveflowResults().answers)");
        var viaElement = await tab.EvaluateExpressionAsync<string>("JSON.stringify(JSON.parse(document.getElementById('waveflow-results').textContent).answers)");
        var expected = JsonSerializer.Serialize(results.Answers);
        Assert.Equal(JsonNode.Parse(expected)!.ToJsonString(), JsonNode.Parse(viaFunction)!.ToJsonString());
        Assert.Equal(viaFunction, viaElement);

        // and the pooled summary counts that one preference
        var summary = Assert.Single(PreferenceSummary.Aggregate([(file, results)]));
        Assert.Equal(1, summary.WinsA + summary.WinsB);
        Assert.Equal(first.Left, summary.WinsA == 1 ? summary.SystemA : summary.SystemB);
    }
}
