using System.Text.Json;
using WaveFlow.Cli.Commands;
using WaveFlow.Core;
using WaveFlow.Evaluation.Listening;
using WaveFlow.Tests.Support;

namespace WaveFlow.Tests.Commands;

public class CompareResultsCommandTests
{
    static int Run(params string[] args) => CliRunner.Run(args);

    [Fact]
    public void WritesThePooledSummaryWithSignTestPValues()
    {
        using var tmp = new TempDir();
        var dir = tmp.Path;
        // 7 listeners each prefer "nvidia" over "port" once; one prefers "port"; one has no preference
        var files = new List<string>();
        for (int i = 0; i < 9; i++)
        {
            // alternate sides so the side of the winner does not matter
            var (left, right) = i % 2 == 0 ? ("nvidia", "port") : ("port", "nvidia");
            string winner = i < 7 ? "nvidia" : "port";
            string choice = i == 8 ? "none" : left == winner ? "left" : "right";
            var r = new ListeningResults(ListeningResults.FormatName, 1, "rep", $"l{i}", "2026-01-01", 1,
                [new ListeningAnswer("p1", "clip", left, right, choice)]);
            var path = Path.Combine(dir, $"l{i}.json");
            File.WriteAllText(path, r.ToJson());
            files.Add(path);
        }
        var outPath = Path.Combine(dir, "summary.json");
        Assert.Equal(0, Run(["compare-results", .. files, "--out", outPath]));
        using var doc = JsonDocument.Parse(File.ReadAllText(outPath));
        var pair = doc.RootElement.GetProperty("pairs").EnumerateArray().Single();
        Assert.Equal("nvidia", pair.GetProperty("a").GetString());
        Assert.Equal((7, 1, 1), (pair.GetProperty("winsA").GetInt32(), pair.GetProperty("winsB").GetInt32(), pair.GetProperty("ties").GetInt32()));
        Assert.Equal(2.0 * (1 + 8) / 256, pair.GetProperty("pValue").GetDouble(), 12); // 7 of 8: p = 0.0703125
        Assert.Equal(9, pair.GetProperty("listeners").GetInt32());

        File.WriteAllText(Path.Combine(dir, "broken.json"), "[]");
        Assert.Equal(2, Run("compare-results", Path.Combine(dir, "broken.json")));
    }
}
