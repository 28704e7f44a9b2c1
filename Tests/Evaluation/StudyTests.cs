using WaveFlow.Core;
using WaveFlow.Evaluation.Study;
using WaveFlow.Tests.Support;
using WaveFlow.Training.Config;
using WaveFlow.Training.Data;
using WaveFlow.Training.Run;

namespace WaveFlow.Tests.Evaluation;

/// <summary><c>waveflow study</c> end to end on the tiny config and the six-clip fixture corpus.</summary>
public class StudyTests
{
    static string Tiny => Path.Combine(AppContext.BaseDirectory, "configs", "waveflow-tiny.json");

    static string[] Args(string corpus, string study, string a, string b, long iterations, params string[] more) =>
        ["study", "--configs", a, b, "--data", corpus, "--out", study, "--iterations", iterations.ToString(), "--every", "2",
         "--held-out", "2", "--crop", "0.5", "--device", "cpu", "--threads", "1", .. more];

    [Fact]
    public void TrainsScoresAndReportsAndARerunContinuesWithoutRetraining()
    {
        using var tmp = new TempDir();
        var corpus = tmp.CopyCorpus();
        string a = tmp["tiny-a.json"], b = tmp["tiny-b.json"];
        File.Copy(Tiny, a);
        File.Copy(Tiny, b);
        var study = tmp["study"];
        Assert.Equal(0, CliRunner.Run(Args(corpus, study, a, b, 2, "--train-only")));
        var folder = new StudyFolder(study);
        Assert.False(File.Exists(folder.CurvesPath));

        // the held-out clips are in no run's training or validation data
        var heldOut = Corpus.ReadFilelist(folder.HeldOutPath).Clips.Select(c => c.Id).ToHashSet();
        Assert.Equal(2, heldOut.Count);
        foreach (var run in new[] { "tiny-a", "tiny-b" })
        {
            var split = DataSplit.Read(folder.RunPath(run));
            Assert.DoesNotContain(split.Train.Concat(split.Validation), c => heldOut.Contains(c.Id));
        }

        // a larger budget continues both runs from their checkpoints, then scores and reports
        Assert.Equal(0, CliRunner.Run(Args(corpus, study, a, b, 4)));
        Assert.Equal([0L, 2, 4], new RunFolder(folder.RunPath("tiny-a")).CheckpointIterations());
        var curves = File.ReadAllLines(folder.CurvesPath);
        Assert.Equal(CurvePoint.Header, curves[0]);
        Assert.Equal(1 + 2 * 3, curves.Length);                       // two runs × iterations 0, 2, 4
        // the same config and seed twice: identical runs, identical points
        var points = curves.Skip(1).Select(l => CurvePoint.FromCsv(l, "curves.csv")).ToList();
        Assert.Equal(points.Where(p => p.Run == "tiny-a").Select(p => p with { Run = "" }), points.Where(p => p.Run == "tiny-b").Select(p => p with { Run = "" }));
        Assert.All(points, p => Assert.NotNull(p.TremoloIndex));
        var report = File.ReadAllText(folder.ReportPath);
        Assert.Contains("| griffin-lim |", report);
        Assert.Contains("curve-nll.svg", report);
        Assert.True(File.Exists(Path.Combine(study, "curve-nll.svg")));
        Assert.True(File.Exists(Path.Combine(folder.ComparePath, "index.html")));

        // a rerun of the finished study trains nothing and recomputes no point
        var stamp = File.GetLastWriteTimeUtc(new RunFolder(folder.RunPath("tiny-a")).ModelPath(4));
        var before = File.ReadAllText(folder.CurvesPath);
        Assert.Equal(0, CliRunner.Run(Args(corpus, study, a, b, 4)));
        Assert.Equal(stamp, File.GetLastWriteTimeUtc(new RunFolder(folder.RunPath("tiny-a")).ModelPath(4)));
        Assert.Equal(before, File.ReadAllText(folder.CurvesPath));

        // another experiment in the same folder is refused
        Assert.Equal(2, CliRunner.Run(["study", "--configs", a, "--data", corpus, "--out", study, "--iterations", "4", "--device", "cpu"]));
    }

    [Fact]
    public void AConfigThatDoesNotLoadFailsNamingItBeforeAnythingIsWritten()
    {
        using var tmp = new TempDir();
        var corpus = tmp.CopyCorpus();
        File.WriteAllText(tmp["broken.json"], "{ \"train_config\": { \"batch_size\": 0 } }");
        var e = Assert.Throws<WaveFlowException>(() => StudyTraining.Prepare(new StudyOptions([Tiny, tmp["broken.json"]], corpus, tmp["s"], 2)));
        Assert.StartsWith(tmp["broken.json"], e.Message);
        Assert.Equal(2, CliRunner.Run(Args(corpus, tmp["s"], Tiny, tmp["missing.json"], 2)));
        Assert.Equal(2, CliRunner.Run(Args(corpus, tmp["s"], Tiny, Tiny, 2)));                        // two runs of one name
        Assert.False(Directory.Exists(tmp["s"]));
    }

    [Theory]
    [InlineData("flows-4.json", 4)]
    [InlineData("flows-8.json", 8)]
    [InlineData("flows-12.json", 12)]
    [InlineData("flows-8-seed99.json", 8)]
    public void TheShippedStudyConfigsLoadAndDifferOnlyWhereTheyShould(string file, int flows)
    {
        var config = TrainingConfig.Load(Path.Combine(AppContext.BaseDirectory, "configs", "study", file));
        var reference = TrainingConfig.Load(Path.Combine(AppContext.BaseDirectory, "configs", "study", "flows-8.json"));
        Assert.Equal(flows, config.Model.NFlows);
        Assert.Equal(reference.Model with { NFlows = flows }, config.Model);
        Assert.Equal(reference.Data, config.Data);
        Assert.Equal(reference.Train with { Seed = config.Train.Seed, OutputDirectory = config.Train.OutputDirectory }, config.Train);
    }
}
