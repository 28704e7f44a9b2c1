using System.Text.Json;
using System.Text.Json.Nodes;
using TorchSharp;
using WaveFlow.Audio.Wav;
using WaveFlow.Core.Serialization;
using WaveFlow.Evaluation.Comparison;
using WaveFlow.Evaluation.Gate;
using WaveFlow.Tests.Support;
using WaveFlow.Vocoder.Checkpoints;

namespace WaveFlow.Tests.Evaluation;

/// <summary>eval and compare --wavs on the micro model with a few short synthetic recordings.</summary>
public class EvalEndToEndTests
{
    static readonly string Micro = Fixture.Path_("micro", "nvidia_checkpoint.pt");

    /// <summary>Three 0.4 s "recordings": chirps with a little noise, at the model's rate.</summary>
    static string Recordings(string dir, int rate)
    {
        var wavs = Directory.CreateDirectory(Path.Combine(dir, "wavs")).FullName;
        var rng = new Random(11);
        for (int k = 0; k < 3; k++)
        {
            var x = new float[(int)(0.4 * rate)];
            for (int i = 0; i < x.Length; i++)
            {
                double t = (double)i / rate;
                x[i] = (float)(0.3 * Math.Sin(2 * Math.PI * (150 + 100 * k + 400 * t) * t) + 0.01 * (rng.NextDouble() - 0.5));
            }
            WavFile.Write(Path.Combine(wavs, $"r{k}.wav"), x, rate);
        }
        return dir;
    }

    static int MicroRate()
    {
        var loaded = CheckpointLoader.Load(Micro, torch.CPU);
        loaded.Model.Dispose();
        return loaded.Mel.SamplingRate;
    }

    [Fact]
    public void EvalIsDeterministicAndGatesOnABaseline()
    {
        using var tmp = new TempDir();
        var dir = tmp.Path;
        var data = Recordings(dir, MicroRate());
        string first = Path.Combine(dir, "e1.json"), second = Path.Combine(dir, "e2.json");
        string[] common = ["eval", "--checkpoint", Micro, "--data", data, "--clips", "2", "--crop", "0.3", "--device", "cpu"];
        Assert.Equal(0, CompareEndToEndTests.Run([.. common, "--out", first]));
        var e1 = EvalReport.Read(first);
        Assert.Equal(["r0", "r1"], e1.Clips.Select(c => c.Clip));         // sorted, first N
        int rate = MicroRate(); // 0.3 s, cut down to whole hops of 256
        Assert.All(e1.Clips, c => Assert.Equal(Math.Floor(0.3 * rate / 256) * 256 / rate, c.Seconds, 9));
        Assert.All(e1.Clips, c => Assert.True(c.LogMelL1 > 0 && double.IsFinite(c.Mcd) && c.SpectralConvergence > 0));

        // same inputs, same noise: the same numbers; so the gate passes against itself
        Assert.Equal(0, CompareEndToEndTests.Run([.. common, "--out", second, "--baseline", first, "--tolerance", "0"]));
        Assert.Equal(e1.Clips, EvalReport.Read(second).Clips);

        // a baseline that claims r1 was much better makes this evaluation a regression: exit 1
        var json = JsonNode.Parse(File.ReadAllText(first))!;
        json["clips"]![1]!["logMelL1"] = e1.Clips[1].LogMelL1 / 2;
        var better = Path.Combine(dir, "better.json");
        File.WriteAllText(better, json.ToJsonString());
        Assert.Equal(1, CompareEndToEndTests.Run([.. common, "--baseline", better]));
        var regressions = EvalBaseline.Compare(EvalReport.Read(second), EvalReport.Read(better), 0.05, better);
        Assert.Equal(["r1"], regressions.Select(r => r.Clip).Distinct());

        // a baseline made with other settings is refused as bad input
        Assert.Equal(2, CompareEndToEndTests.Run([.. common.Take(common.Length - 2), "--seed", "9", "--baseline", first]));
    }

    [Fact]
    public void CompareWithRecordingsAddsGroundTruthAndLikelihood()
    {
        using var tmp = new TempDir();
        var dir = tmp.Path;
        var data = Recordings(dir, MicroRate());
        var (ours, _) = CompareEndToEndTests.OtherCheckpoints(dir);
        var report = Path.Combine(dir, "report");
        Assert.Equal(0, CompareEndToEndTests.Run("compare", "--model", $"nvidia={Micro}", "--model", $"ours={ours}",
            "--wavs", data, "--clips", "2", "-o", report, "--device", "cpu"));
        using var metrics = JsonDocument.Parse(File.ReadAllText(Path.Combine(report, "metrics.json")));
        var scores = metrics.RootElement.GetProperty("scores").EnumerateArray().ToList();
        var truth = scores.Where(s => s.GetProperty("system").GetString() == "ground-truth").ToList();
        Assert.Equal(2, truth.Count);
        Assert.All(truth, s => Assert.Equal(0, s.GetProperty("logMelL1").GetDouble(), 9)); // the recording against itself
        var nvidia = scores.Where(s => s.GetProperty("system").GetString() == "nvidia").ToList();
        var oursRows = scores.Where(s => s.GetProperty("system").GetString() == "ours").ToList();
        for (int i = 0; i < 2; i++)
        {
            double nll = nvidia[i].GetProperty("nll").GetDouble();
            Assert.True(double.IsFinite(nll));
            Assert.Equal(nll, oursRows[i].GetProperty("nll").GetDouble(), 5);           // same weights, same likelihood
            Assert.True(nvidia[i].GetProperty("mcd").GetDouble() > 0);
        }
    }
}
