using System.Text.Json;
using WaveFlow.Audio;
using WaveFlow.Audio.Dsp;
using WaveFlow.Audio.Wav;
using WaveFlow.Evaluation.Comparison;
using WaveFlow.Tests.Support;

namespace WaveFlow.Tests.Evaluation;

/// <summary>The report folder, with the baselines and a test double standing in for a model.</summary>
public class ComparisonRunnerTests
{
    static readonly MelOptions Mel = new() { NMelChannels = 16 };

    /// <summary>A "model" that returns the recording plus seeded noise: its score depends on the noise level.</summary>
    sealed class NoisyCopy(string name, double level) : IClipRenderer
    {
        public List<long> Seeds { get; } = [];
        public SystemInfo Info { get; } = new(name, SystemKind.Model, new ModelStructure(16, 6, 8, 4, 2, 3, 16, 3, "affine", "invertible-1x1"), 1234, 5678, "x.pt", "test");
        public bool Timed => true;
        public float[] Render(InputClip clip, long seed)
        {
            Seeds.Add(seed);
            var rng = new Random((int)seed);
            int n = clip.Frames * Mel.HopLength; // what a vocoder returns: frames · hop samples
            return Enumerable.Range(0, n).Select(i => (clip.Audio is { } a && i < a.Length ? a[i] : 0f) + (float)(level * (rng.NextDouble() - 0.5))).ToArray();
        }
        public double? Nll(InputClip clip) => -level;
        public void Dispose() { }
    }

    [Fact]
    public void WritesTheReportFolderWithScoresAndTheSameSeedsForEverySystem()
    {
        using var tmp = new TempDir();
        var dir = tmp.Path;
        var rng = new Random(2);
        var clips = Enumerable.Range(0, 2).Select(k =>
        {
            var audio = Enumerable.Range(0, 256 * 20).Select(i => (float)(0.3 * Math.Sin(2 * Math.PI * (300 + 200 * k) * i / 22050.0) + 0.02 * (rng.NextDouble() - 0.5))).ToArray();
            return new InputClip($"clip{k}", new MelSpectrogram(Mel).Compute(audio), audio);
        }).ToList();
        var quiet = new NoisyCopy("quiet", 0.01);
        var loud = new NoisyCopy("loud", 0.2);
        IClipRenderer[] systems = [quiet, loud, new GriffinLimRenderer(Mel), new GroundTruthRenderer()];

        var steps = new List<string>();
        var result = ComparisonRunner.Run(clips, systems, Mel, dir, new CompareSettings(Seed: 40), (what, _, _) => steps.Add(what));

        // identical noise: each clip i got seed 40 + i in every model (the extra first call is the warm-up)
        Assert.Equal([40L, 40, 41], quiet.Seeds);
        Assert.Equal(quiet.Seeds, loud.Seeds);
        Assert.Contains("loud: clip1", steps);

        foreach (var s in new[] { "quiet", "loud", "griffin-lim", "ground-truth" })
            foreach (var c in new[] { "clip0", "clip1" })
            {
                var wav = WavFile.Read(Path.Combine(dir, "audio", s, c + ".wav"));
                Assert.Equal(256 * 20, wav.Samples.Length); // cut to the recording's length
                Assert.True(File.Exists(Path.Combine(dir, "spectrograms", s, c + ".png")));
            }
        Assert.True(File.Exists(Path.Combine(dir, "spectrograms", "input", "clip0.png")));

        var means = result.Content.Means().ToDictionary(m => m.System);
        Assert.Equal(0, means["ground-truth"].LogMelL1!.Value, 9);
        Assert.Null(means["ground-truth"].RealTimeFactor);
        Assert.True(means["quiet"].LogMelL1 < means["loud"].LogMelL1);
        Assert.True(means["quiet"].Mcd < means["loud"].Mcd);
        Assert.Equal(-0.2, means["loud"].Nll!.Value, 12);
        Assert.True(means["griffin-lim"].RealTimeFactor > 0);

        using var metrics = JsonDocument.Parse(File.ReadAllText(result.MetricsPath));
        Assert.Equal(result.Content.ReportId, metrics.RootElement.GetProperty("reportId").GetString());
        Assert.Equal(8, metrics.RootElement.GetProperty("scores").GetArrayLength());
        Assert.Equal(6, metrics.RootElement.GetProperty("systems")[0].GetProperty("structure").GetProperty("flows").GetInt32());
        var html = File.ReadAllText(result.IndexPath);
        Assert.Equal(8 + 2, System.Text.RegularExpressions.Regex.Matches(html, "data:image/png;base64,").Count); // 8 outputs + 2 input mels
        Assert.Contains("\"id\":\"p12\"", html); // 2 clips × C(4, 2) = 12 pairs
    }
}
