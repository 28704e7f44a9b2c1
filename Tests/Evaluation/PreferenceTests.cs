using WaveFlow.Core;
using WaveFlow.Evaluation.Listening;
using WaveFlow.Tests.Support;

namespace WaveFlow.Tests.Evaluation;

public class PreferenceTests
{
    static ListeningResults Listener(string name, params (string Left, string Right, string Choice)[] answers) =>
        new(ListeningResults.FormatName, 1, "r1", name, $"2026-01-01T00:00:0{name.Length}Z", answers.Length,
            answers.Select((a, i) => new ListeningAnswer($"p{i:00}", "clip", a.Left, a.Right, a.Choice)).ToList());

    [Fact]
    public void PoolsListenersPerUnorderedPairAndExcludesTiesFromTheTest()
    {
        var one = Listener("ann", ("big", "small", "left"), ("small", "big", "right"), ("big", "gl", "left"), ("small", "big", "none"));
        var two = Listener("bo", ("big", "small", "left"), ("small", "big", "left"), ("gl", "big", "right"));
        var summary = PreferenceSummary.Aggregate([("a.json", one), ("b.json", two)]);

        Assert.Equal(2, summary.Count);
        var bs = summary.Single(p => p.SystemA == "big" && p.SystemB == "small");
        Assert.Equal((3, 1, 1, 2), (bs.WinsA, bs.WinsB, bs.Ties, bs.Listeners));
        Assert.Equal(0.75, bs.ShareA);
        Assert.Equal(2.0 * (1 + 4) / 16, bs.PValue, 12); // sign test on 3 vs 1, tie left out
        var bg = summary.Single(p => p.SystemA == "big" && p.SystemB == "gl");
        Assert.Equal((2, 0, 0), (bg.WinsA, bg.WinsB, bg.Ties));
        Assert.Equal(0.5, bg.PValue, 12);
    }

    [Fact]
    public void RefusesTheSameExportTwice()
    {
        var one = Listener("ann", ("big", "small", "left"));
        var e = Assert.Throws<WaveFlowException>(() => PreferenceSummary.Aggregate([("a.json", one), ("copy.json", one)]));
        Assert.StartsWith("copy.json: same export as a.json", e.Message);
    }

    [Fact]
    public void RoundTripsAndRejectsBadFilesNamingThem()
    {
        using var tmp = new TempDir();
        var good = Path.Combine(tmp.Path, "good.json");
        File.WriteAllText(good, Listener("ann", ("big", "small", "right")).ToJson());
        var back = ListeningResults.Read(good);
        Assert.Equal("small", back.Answers.Single().Preferred);

        var bad = Path.Combine(tmp.Path, "bad.json");
        File.WriteAllText(bad, File.ReadAllText(good).Replace("\"choice\": \"right\"", "\"choice\": \"maybe\""));
        var e = Assert.Throws<WaveFlowException>(() => ListeningResults.Read(bad));
        Assert.Contains($"{bad}: answers[0] (pair p00): choice \"maybe\"", e.Message);
        Assert.DoesNotContain('\n', e.Message);

        File.WriteAllText(bad, "{ not json");
        e = Assert.Throws<WaveFlowException>(() => ListeningResults.Read(bad));
        Assert.StartsWith($"{bad}: malformed JSON (line 1: ", e.Message);

        File.WriteAllText(bad, File.ReadAllText(good).Replace(ListeningResults.FormatName, "something-else"));
        e = Assert.Throws<WaveFlowException>(() => ListeningResults.Read(bad));
        Assert.Contains("format is \"something-else\"", e.Message);
    }
}
