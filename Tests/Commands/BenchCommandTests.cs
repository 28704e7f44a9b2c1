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
    public void LayerProfileTimesEachOperationInBothPrecisions()
    {
        using var tmp = new TempDir();
        string json = Path.Combine(tmp.Path, "layers.json");
        Assert.Equal(0, Run("bench", "--checkpoint", Fixture.Path_("micro", "weights.safetensors"), "--config", Fixture.Path_("micro", "config.json"),
            "--seconds", "0.5", "--repeats", "2", "--warmup", "0", "--layers", "--bf16", "--device", "cpu", "--json", json));
        using var doc = JsonDocument.Parse(File.ReadAllText(json));
        var rows = doc.RootElement.GetProperty("Rows").EnumerateArray().ToList();
        string[] operations = ["conditioning product", "phase-folded conditioning", "dilated convolution product", "res/skip product",
            "shifted copies", "gate tanh·sigmoid", "bias start + residual bias", "all of the above"];
        Assert.Equal(operations.Select(o => "layer: " + o).Concat(operations.Select(o => "layer: " + o)), rows.Select(r => r.GetProperty("Case").GetString()));
        Assert.Equal(Enumerable.Repeat("fp32", 8).Concat(Enumerable.Repeat("bf16", 8)), rows.Select(r => r.GetProperty("Precision").GetString()));
        // Micro model: C = 16, K = 3, n_mel·n_group = 128; 0.5 s at 22,050 Hz = 1,378 grouped steps.
        // Folded: J·n_mel = 4 · 16 = 64 inputs per output, over the 43 whole frames of P = 32 steps.
        const long steps = 1378;
        (int Row, string Shape, long M, long K, long N)[] products =
            [(0, "(32 × 128)·(128 × T')", 32, 128, steps), (1, "(F × J·n_mel)·(J·n_mel × 32·P), laid out as (32 × T')", 32, 64, 43 * 32),
             (2, "(32 × 48)·(48 × T')", 32, 48, steps), (3, "(32 × 16)·(16 × T')", 32, 16, steps)];
        foreach (var half in new[] { rows.Take(8).ToList(), rows.Skip(8).ToList() })
        {
            foreach (var (i, shape, m, k, n) in products)
            {
                string note = half[i].GetProperty("Note").GetString()!;
                Assert.StartsWith(shape + ": ", note);
                double ms = half[i].GetProperty("MedianMs").GetDouble();
                double expected = 2.0 * m * k * n / (ms / 1000) / 1e9;   // GFLOP/s from the shapes
                double printed = double.Parse(note.Split(": ")[1].Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
                Assert.InRange(printed, expected - 0.5 - expected * 0.01, expected + 0.5 + expected * 0.01);
                Assert.Equal(2, half[i].GetProperty("TimesMs").GetArrayLength());
            }
            // The total is the unfolded layer: every row but the folded alternative.
            double sum = half.Take(7).Where((_, i) => i != 1).Sum(r => r.GetProperty("MedianMs").GetDouble());
            Assert.Equal(sum, half[7].GetProperty("MedianMs").GetDouble(), 9);
            Assert.StartsWith("without the phase-folded row; × 18 layers ≈ ", half[7].GetProperty("Note").GetString());
        }
    }

    [Fact]
    public void BadOptionsAreOneLineErrors()
    {
        Assert.Throws<WaveFlowException>(() => Run("bench", "--chunk-only", "--device", "cpu"));
        Assert.Throws<WaveFlowException>(() => Run("bench", "--repeats", "0", "--device", "cpu"));
        Assert.Throws<WaveFlowException>(() => Run("bench", "--checkpoint", "/nonexistent/x.safetensors", "--device", "cpu"));
    }
}
