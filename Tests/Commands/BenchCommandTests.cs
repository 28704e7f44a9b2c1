using System.Text.Json;
using WaveFlow.Cli;
using WaveFlow.Cli.Commands;
using WaveFlow.Core;
using WaveFlow.Tests.Support;

namespace WaveFlow.Tests.Commands;

/// <summary><c>waveflow bench</c> end to end on the micro fixture model (loaded through --checkpoint).</summary>
[Collection(ProcessWideMeasurement.Name)]
public class BenchCommandTests
{
    private static int Run(params string[] args) => CliRunner.Invoke(args);

    [Fact]
    public void WritesJsonWithTimedRowsAndTheChunkedError()
    {
        using var tmp = new TempDir();
        var dir = tmp.Path;
        string json = Path.Combine(dir, "bench.json");
        Assert.Equal(0, Run("bench", "--checkpoint", Fixture.Path_("micro", "weights.safetensors"), "--config", Fixture.Path_("micro", "config.json"),
            "--seconds", "0.3", "--repeats", "2", "--warmup", "0", "--chunk", "8", "--device", "cpu", "--json", json));
        using var doc = JsonDocument.Parse(File.ReadAllText(json));
        var rows = doc.RootElement.GetProperty("Rows").EnumerateArray().ToList();
        Assert.Equal(["synthesis, chunked", "synthesis, streamed: first audio", "synthesis", "chunked vs whole (error)"], rows.Select(r => r.GetProperty("Case").GetString()));
        foreach (var row in rows.Take(3))
        {
            Assert.Equal(2, row.GetProperty("TimesMs").GetArrayLength());
            Assert.True(row.GetProperty("ThroughputKHz").GetDouble() > 0);
            Assert.True(row.GetProperty("PeakHostBytes").GetInt64() > 0);
        }
        // 0.3 s = 26 frames: 4 chunks of 8, the first audio after the first of them.
        Assert.Contains("all 4 chunk(s) of 8 frames", rows[1].GetProperty("Note").GetString());
        Assert.Contains("relative L2", rows[3].GetProperty("Note").GetString());
        Assert.StartsWith("6 flows × 3 layers × 16 channels, 16 mels", doc.RootElement.GetProperty("Model").GetString());
    }

    [Fact]
    public void BadOptionsAreOneLineErrors()
    {
        Assert.Throws<WaveFlowException>(() => Run("bench", "--chunk-only", "--device", "cpu"));
        Assert.Throws<WaveFlowException>(() => Run("bench", "--repeats", "0", "--device", "cpu"));
        Assert.Throws<WaveFlowException>(() => Run("bench", "--checkpoint", "/nonexistent/x.safetensors", "--device", "cpu"));
    }
}
