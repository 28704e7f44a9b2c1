using System.CommandLine;
using System.Text.Json;
using TorchSharp;
using WaveFlow.Audio;
using WaveFlow.Audio.Wav;
using WaveFlow.Core.Serialization;
using WaveFlow.Tests.Support;
using WaveFlow.Vocoder;
using WaveFlow.Vocoder.Checkpoints;

namespace WaveFlow.Tests.Evaluation;

/// <summary>compare, end to end on the micro model (16 mel channels) with short inputs.</summary>
public class CompareEndToEndTests
{
    internal static int Run(params string[] args)
    {
        return CliRunner.Run(args);
    }

    static readonly string MicroCheckpoint = Fixture.Path_("micro", "nvidia_checkpoint.pt");

    /// <summary>Two short mels cut from the fixture's inference mel.</summary>
    internal static string ShortMels(string dir)
    {
        var mel = NpyFile.Read(Fixture.Path_("micro", "infer.mel.npy"));
        int n = (int)mel.Shape[0], t = (int)mel.Shape[1], f = Math.Min(12, t / 2);
        var melDir = Directory.CreateDirectory(Path.Combine(dir, "mels")).FullName;
        for (int k = 0; k < 2; k++)
        {
            var part = new float[n * f];
            for (int c = 0; c < n; c++) Array.Copy(mel.Data, c * t + k * f, part, c * f, f); // row c, frames [k·f, (k+1)·f)
            NpyFile.Write(Path.Combine(melDir, $"m{k}.npy"), part, [n, f]);
        }
        return melDir;
    }

    /// <summary>The micro weights re-saved in WaveFlow's own format, and a smaller random model.</summary>
    internal static (string Ours, string Small) OtherCheckpoints(string dir)
    {
        var loaded = CheckpointLoader.Load(MicroCheckpoint, torch.CPU);
        var ours = Path.Combine(dir, "ours.safetensors");
        WaveFlowCheckpoint.Save(ours, loaded.Model, loaded.Options, loaded.Mel, 7);
        // another design too: NICE's additive coupling with reversed channels
        var smallOptions = loaded.Options with { NFlows = 4, WN = loaded.Options.WN with { NLayers = 2 }, Coupling = Couplings.Additive, Permutation = Permutations.Reverse };
        WaveGlow built;
        using (InitRandom.Seeded(3))
            built = new WaveGlow(smallOptions, loaded.Mel);
        using var small = built;
        var smallPath = Path.Combine(dir, "small.safetensors");
        WaveFlowCheckpoint.Save(smallPath, small, smallOptions, loaded.Mel, 0);
        loaded.Model.Dispose();
        return (ours, smallPath);
    }

    [Fact]
    public void RendersEveryModelWithIdenticalNoiseAndWritesTheReport()
    {
        using var tmp = new TempDir();
        var dir = tmp.Path;
        var melDir = ShortMels(dir);
        var (ours, small) = OtherCheckpoints(dir);
        var report = Path.Combine(dir, "report");
        Assert.Equal(0, Run("compare", "--model", $"nvidia={MicroCheckpoint}", "--model", $"ours={ours}", "--model", $"small={small}",
            "--mels", melDir, "-o", report, "--seed", "5", "--griffin-lim", "--device", "cpu"));

        // the same weights in two formats with the same noise give the same audio, sample for sample
        foreach (var clip in new[] { "m0", "m1" })
        {
            var a = WavFile.Read(Path.Combine(report, "audio", "nvidia", clip + ".wav")).Samples;
            var b = WavFile.Read(Path.Combine(report, "audio", "ours", clip + ".wav")).Samples;
            var c = WavFile.Read(Path.Combine(report, "audio", "small", clip + ".wav")).Samples;
            Assert.Equal(a, b);
            Assert.NotEqual(a, c);
            Assert.True(File.Exists(Path.Combine(report, "audio", "griffin-lim", clip + ".wav")));
            Assert.True(File.Exists(Path.Combine(report, "spectrograms", "small", clip + ".png")));
        }
        // ...and it is the audio the synthesizer makes for clip 1 with seed 5 + 1
        using var synth = Synthesizer.Load(MicroCheckpoint, torch.CPU);
        var direct = synth.Synthesize(MelFile.Read(Path.Combine(melDir, "m1.npy")), new SynthesisOptions(Sigma: 0.6f, Seed: 6));
        var written = WavFile.Read(Path.Combine(report, "audio", "nvidia", "m1.wav")).Samples;
        Assert.Equal(direct.Length, written.Length);
        // 16-bit PCM: clipped to [-1, 1] and quantised
        double worst = direct.Zip(written).Max(p => Math.Abs(Math.Clamp(p.First, -1f, 1f) - p.Second));
        Assert.True(worst <= 2.0 / 32767, $"the WAV differs from the synthesizer's output by {worst}");

        using var metrics = JsonDocument.Parse(File.ReadAllText(Path.Combine(report, "metrics.json")));
        var root = metrics.RootElement;
        Assert.Equal("waveflow-compare", root.GetProperty("format").GetString());
        var systems = root.GetProperty("systems").EnumerateArray().ToDictionary(s => s.GetProperty("name").GetString()!);
        Assert.Equal(["nvidia", "ours", "small", "griffin-lim"], systems.Keys);
        Assert.Equal(6, systems["nvidia"].GetProperty("structure").GetProperty("flows").GetInt32());
        Assert.Equal(4, systems["small"].GetProperty("structure").GetProperty("flows").GetInt32());
        Assert.Equal(("affine", "invertible-1x1"), (systems["nvidia"].GetProperty("structure").GetProperty("coupling").GetString(), systems["nvidia"].GetProperty("structure").GetProperty("permutation").GetString()));
        Assert.Equal(("additive", "reverse"), (systems["small"].GetProperty("structure").GetProperty("coupling").GetString(), systems["small"].GetProperty("structure").GetProperty("permutation").GetString()));
        // the reference's own count (manifest.json: models.micro.params), whichever format the weights came in
        using var manifest = JsonDocument.Parse(File.ReadAllText(Fixture.Path_("micro", "manifest.json")));
        long expectedParameters = manifest.RootElement.GetProperty("models").GetProperty("micro").GetProperty("params").GetInt64();
        Assert.Equal(expectedParameters, systems["nvidia"].GetProperty("parameters").GetInt64());
        Assert.Equal(expectedParameters, systems["ours"].GetProperty("parameters").GetInt64());
        Assert.Equal(new FileInfo(ours).Length, systems["ours"].GetProperty("checkpointBytes").GetInt64());
        var means = root.GetProperty("means").EnumerateArray().ToDictionary(s => s.GetProperty("system").GetString()!);
        Assert.Equal(means["nvidia"].GetProperty("logMelL1").GetDouble(), means["ours"].GetProperty("logMelL1").GetDouble(), 12);
        Assert.True(means["small"].GetProperty("realTimeFactor").GetDouble() > 0);
        Assert.Equal(JsonValueKind.Null, means["nvidia"].GetProperty("nll").ValueKind); // no recordings given

        var html = File.ReadAllText(Path.Combine(report, "index.html"));
        Assert.Contains("window.waveflowResults", html);
        Assert.Equal(2 * 6, System.Text.RegularExpressions.Regex.Matches(html, "\"id\":\"p\\d+\"").Count); // 2 clips × C(4,2) pairs
    }

    [Fact]
    public void BadInputsAreOneLineErrors()
    {
        using var tmp = new TempDir();
        var dir = tmp.Path;
        var melDir = ShortMels(dir);
        var report = Path.Combine(dir, "report");
        Assert.Equal(2, Run("compare", "--model", $"a={MicroCheckpoint}", "--mels", melDir, "-o", report)); // one system only
        Assert.Equal(2, Run("compare", "--model", $"a={MicroCheckpoint}", "--model", $"a={MicroCheckpoint}", "--mels", melDir, "-o", report));
        Assert.Equal(2, Run("compare", "--model", $"a/b={MicroCheckpoint}", "--model", $"c={MicroCheckpoint}", "--mels", melDir, "-o", report));
        Assert.Equal(2, Run("compare", "--model", $"a={MicroCheckpoint}", "--model", $"b={MicroCheckpoint}", "-o", report));
        Assert.Equal(2, Run("compare", "--model", $"a={MicroCheckpoint}", "--model", $"b={dir}/missing.pt", "--mels", melDir, "-o", report));
        Assert.False(Directory.Exists(report));
    }
}
