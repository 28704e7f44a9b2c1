using System.Text.Json;
using System.Text.Json.Nodes;
using WaveFlow.Evaluation.Listening;
using WaveFlow.Evaluation.Report;

namespace WaveFlow.Tests.Evaluation;

/// <summary>Opens a report in headless Chromium and does what a listener does: play, answer, export.</summary>
public class BrowserTests
{
    [Fact]
    public async Task ListenerPlaysAnswersAndExportsInHeadlessChromium()
    {
        var binary = HeadlessChromium.Find();
        if (binary is null)
            Assert.Fail("chromium is not installed (looked for /usr/bin/chromium, chromium and chromium-browser on PATH): " +
                        "this test needs it; install it with `apt-get install chromium` (.ci/run does)");

        var dir = Directory.CreateTempSubdirectory("waveflow-report-").FullName;
        var downloads = Directory.CreateDirectory(Path.Combine(dir, "downloads")).FullName;
        var content = SyntheticReport.Create(seed: 3);
        var page = Path.Combine(dir, "index.html");
        File.WriteAllText(page, ReportPage.Render(content));
        var plan = AbPlan.Create(SyntheticReport.Systems, content.Audio.Select(a => (a.Clip, a.System)).ToList(), content.Seed);

        using var browser = HeadlessChromium.Start(binary);
        await using var cdp = await CdpClient.ConnectAsync(browser.BrowserWebSocket, TimeSpan.FromSeconds(30));
        await cdp.SendAsync("Browser.setDownloadBehavior", new JsonObject { ["behavior"] = "allow", ["downloadPath"] = downloads, ["eventsEnabled"] = true });
        var target = await cdp.SendAsync("Target.createTarget", new JsonObject { ["url"] = new Uri(page).AbsoluteUri });
        var attached = await cdp.SendAsync("Target.attachToTarget", new JsonObject { ["targetId"] = target.GetProperty("targetId").GetString(), ["flatten"] = true });
        var session = attached.GetProperty("sessionId").GetString()!;

        // wait until the page has run its script
        var ready = DateTime.UtcNow.AddSeconds(30);
        while ((await cdp.EvaluateAsync(session, "document.readyState === 'complete' && typeof window.waveflowResults === 'function'")).ValueKind != JsonValueKind.True)
        {
            Assert.True(DateTime.UtcNow < ready, "the report page did not finish loading in 30 s");
            await Task.Delay(100);
        }
        Assert.Equal(plan.Count, (await cdp.EvaluateAsync(session, "document.querySelectorAll('section.pair').length")).GetInt32());
        var shown = (await cdp.EvaluateAsync(session, "document.getElementById('pairs').innerText")).GetString()!;
        foreach (var name in SyntheticReport.Systems) Assert.DoesNotContain(name, shown);

        // play A of the first pair for a moment: it must start and its time must advance
        var first = plan[0];
        var played = await cdp.EvaluateAsync(session, $$"""
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
        await cdp.EvaluateAsync(session, $$"""
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
        await cdp.WaitForEventAsync("Browser.downloadProgress", e => e.GetProperty("state").GetString() == "completed", 30);
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
        var viaFunction = (await cdp.EvaluateAsync(session, "JSON.stringify(window.waveflowResults().answers)")).GetString()!;
        var viaElement = (await cdp.EvaluateAsync(session, "JSON.stringify(JSON.parse(document.getElementById('waveflow-results').textContent).answers)")).GetString()!;
        var expected = JsonSerializer.Serialize(results.Answers);
        Assert.Equal(JsonNode.Parse(expected)!.ToJsonString(), JsonNode.Parse(viaFunction)!.ToJsonString());
        Assert.Equal(viaFunction, viaElement);

        // and the pooled summary counts that one preference
        var summary = Assert.Single(PreferenceSummary.Aggregate([(file, results)]));
        Assert.Equal(1, summary.WinsA + summary.WinsB);
        Assert.Equal(first.Left, summary.WinsA == 1 ? summary.SystemA : summary.SystemB);
        Directory.Delete(dir, true);
    }
}
