using WaveFlow.Cli.Commands;
using WaveFlow.Core;
using WaveFlow.Evaluation.Gate;
using WaveFlow.Tests.Support;

namespace WaveFlow.Tests.Evaluation;

public class EvalBaselineTests
{
    static readonly EvalSettings Settings = new(2, 2.0, 1, 0.6, 22050);

    static EvalReport Report(double l1a, double l1b, double mcdB = 5.0) => EvalReport.Create("ck", "waveflow", 10, "data", Settings,
        [new EvalClip("a.wav", 2, l1a, 5.0, 0.3, 1.0), new EvalClip("b.wav", 2, l1b, mcdB, 0.3, 1.0)]);

    [Fact]
    public void FlagsOnlyTheClipsBeyondTheRelativeTolerance()
    {
        var baseline = Report(1.0, 2.0);
        Assert.Empty(EvalBaseline.Compare(Report(1.04, 1.5), baseline, 0.05, "base.json"));   // +4 %, and an improvement
        var r = EvalBaseline.Compare(Report(1.06, 2.0, mcdB: 6.0), baseline, 0.05, "base.json");
        Assert.Equal(["a.wav logMelL1", "b.wav mcd", "mean mcd"], r.Select(x => $"{x.Clip} {x.Metric}"));
        Assert.Equal("a.wav: logMelL1 1.06 > baseline 1 (+6.0%, tolerance 5%)", r[0].ToString());
        Assert.Contains(EvalBaseline.Compare(Report(double.NaN, 2.0), baseline, 0.05, "base.json"), x => x.Clip == "a.wav");
    }

    [Fact]
    public void RefusesBaselinesMadeDifferently()
    {
        var other = Report(1, 2) with { Settings = Settings with { Seed = 2 } };
        var e = Assert.Throws<WaveFlowException>(() => EvalBaseline.Compare(Report(1, 2), other, 0.05, "base.json"));
        Assert.StartsWith("base.json: made with other settings (2 clips, crop 2 s, seed 2", e.Message);
        var renamed = Report(1, 2) with { Clips = [new EvalClip("z.wav", 2, 1, 5, 0.3, 1), new EvalClip("b.wav", 2, 2, 5, 0.3, 1)] };
        e = Assert.Throws<WaveFlowException>(() => EvalBaseline.Compare(Report(1, 2), renamed, 0.05, "base.json"));
        Assert.Equal("base.json: clip z.wav is not in this evaluation's clip set: not comparable", e.Message);
    }

    [Fact]
    public void RoundTripsThroughJson()
    {
        using var tmp = new TempDir();
        var path = tmp["eval.json"];
        var report = Report(1.25, 0.5);
        report.Write(path);
        var back = EvalReport.Read(path);
        Assert.Equal(report.Settings, back.Settings);
        Assert.Equal(report.Clips, back.Clips);
        Assert.Equal(0.875, back.Mean.LogMelL1, 12);
        File.WriteAllText(path, report.ToJson().Replace(EvalReport.FormatName, "other"));
        Assert.StartsWith($"{path}: format is \"other\"", Assert.Throws<WaveFlowException>(() => EvalReport.Read(path)).Message);
        File.WriteAllText(path, "{\"format\":\"other\",\"version\":1}");
        Assert.Equal($"{path}: lacks checkpoint, checkpointKind, step, data, settings, clips, mean", Assert.Throws<WaveFlowException>(() => EvalReport.Read(path)).Message);
    }

    static EvalClip Prosodic(string name, double f0, double voicing, double tremolo) =>
        new(name, 2, 1.0, 5.0, 0.3, 1.0, F0RmseCents: f0, VoicingError: voicing, HnrDb: 5, HnrGapDb: 3, TremoloIndex: tremolo,
            F0GrossErrorRate: 0.01, F0FineRmseCents: 15, PitchWobbleCents: 8, VoicedToUnvoiced: 0.05, UnvoicedToVoiced: 0.1,
            F0Coverage: 0.95, F0Frames: 150, WobbleFrames: 120, TremoloLagMs: 0);

    /// <summary>The output voices none of the recording's voiced frames: the F0 figures are n/a, coverage 0.</summary>
    static EvalClip Whispered(EvalClip c) => c with
    {
        F0RmseCents = null, F0GrossErrorRate = null, F0FineRmseCents = null, PitchWobbleCents = null,
        VoicedToUnvoiced = 1, F0Coverage = 0, F0Frames = 0, WobbleFrames = 0,
    };

    static EvalReport ProsodicReport(params EvalClip[] clips) => EvalReport.Create("ck", "waveflow", 10, "data", Settings with { ClipCount = clips.Length }, clips);

    [Fact]
    public void GatesTheProsodyMetricsWithTheirOwnTolerances()
    {
        var baseline = ProsodicReport(Prosodic("a.wav", 20, 0.1, 0.10));
        var worse = ProsodicReport(Prosodic("a.wav", 30, 0.1, 0.12));            // F0 +50 %, tremolo +20 %
        Assert.Equal(["a.wav f0RmseCents", "a.wav tremoloIndex", "mean f0RmseCents", "mean tremoloIndex"],
            EvalBaseline.Compare(worse, baseline, 0.05, "b.json").Select(r => $"{r.Clip} {r.Metric}"));
        // a looser tolerance for one metric lets it through; the other still regresses
        var loose = new Dictionary<string, double> { ["tremoloIndex"] = 0.25 };
        Assert.Equal(["a.wav f0RmseCents", "mean f0RmseCents"],
            EvalBaseline.Compare(worse, baseline, 0.05, loose, "b.json").Select(r => $"{r.Clip} {r.Metric}"));
        Assert.Throws<WaveFlowException>(() => EvalBaseline.Compare(worse, baseline, 0.05, new Dictionary<string, double> { ["pitch"] = 1 }, "b.json"));
    }

    [Fact]
    public void AnF0ErrorThatBecomesNotApplicableRegressesAndOneThatWasNotApplicableIsNotGated()
    {
        var voiced = ProsodicReport(Prosodic("a.wav", 20, 0.1, 0.1));
        var whisper = ProsodicReport(Whispered(Prosodic("a.wav", 20, 0.1, 0.1)));
        var lost = EvalBaseline.Compare(whisper, voiced, 0.05, "b.json");
        Assert.Contains(lost, r => r.Metric == "f0RmseCents" && double.IsNaN(r.Current));
        Assert.Contains(lost, r => r.Metric == "pitchWobbleCents" && double.IsNaN(r.Current));
        Assert.Contains(lost, r => r.Clip == "mean" && r.Metric == "voicedToUnvoiced" && r.Current == 1);   // the lost voicing shows in the mean too
        Assert.DoesNotContain(EvalBaseline.Compare(voiced, whisper, 0.05, "b.json"), r => r.Metric.StartsWith("f0") || r.Metric == "pitchWobbleCents");
        Assert.Equal(["f0RmseCents", "f0GrossErrorRate", "f0FineRmseCents", "pitchWobbleCents"], EvalBaseline.Ungated(whisper));
    }

    [Fact]
    public void ABaselineWrittenBeforeTheProsodyMetricsLoadsAndGatesOnlyTheSpectralOnes()
    {
        // the shipped baseline as it was recorded before F0, voicing, HNR and tremolo existed
        var old = EvalReport.Read(Fixture.Path_("shipped", "eval-baseline-spectral-only.json"));
        Assert.All(old.Clips, c => Assert.Null(c.TremoloIndex));
        Assert.Equal(["f0RmseCents", "voicingError", "hnrGapDb", "tremoloIndex",
            "f0GrossErrorRate", "f0FineRmseCents", "pitchWobbleCents", "voicedToUnvoiced", "unvoicedToVoiced"], EvalBaseline.Ungated(old));
        var now = EvalReport.Read(Fixture.Path_("shipped", "eval-baseline.json"));
        Assert.All(now.Clips, c => Assert.NotNull(c.TremoloIndex));
        Assert.Empty(EvalBaseline.Compare(now, old, 0.05, "old.json"));
        // a much worse tremolo is reported, not gated, against the old file
        var shaky = now with { Clips = now.Clips.Select(c => c with { TremoloIndex = 0.99 }).ToList() };
        Assert.Empty(EvalBaseline.Compare(shaky, old, 0.05, "old.json"));
        Assert.Contains(EvalBaseline.Compare(shaky, now, 0.05, "new.json"), r => r.Metric == "tremoloIndex");
    }

    [Fact]
    public void TheWobbleAndTheF0SplitAreGatedAndABaselineWithoutThemStillLoads()
    {
        var baseline = ProsodicReport(Prosodic("a.wav", 20, 0.1, 0.10));
        var wobbly = ProsodicReport(Prosodic("a.wav", 20, 0.1, 0.10) with { PitchWobbleCents = 30, F0GrossErrorRate = 0.2 });
        Assert.Equal(["a.wav f0GrossErrorRate", "a.wav pitchWobbleCents", "mean f0GrossErrorRate", "mean pitchWobbleCents"],
            EvalBaseline.Compare(wobbly, baseline, 0.05, "b.json").Select(r => $"{r.Clip} {r.Metric}"));
        Assert.Empty(EvalBaseline.Compare(wobbly, baseline, 0.05, new Dictionary<string, double> { ["pitchWobbleCents"] = 3, ["f0GrossErrorRate"] = 20 }, "b.json"));
        // the shipped baseline was written before the wobble and the F0 split: they are reported, not gated
        var shipped = EvalReport.Read(Fixture.Path_("shipped", "eval-baseline.json"));
        Assert.Contains("pitchWobbleCents", EvalBaseline.Ungated(shipped));
        Assert.Null(shipped.Mean.PitchWobbleCents);
    }

    [Fact]
    public void ToleranceOptionsSetAllMetricsOrOne()
    {
        var (all, per) = EvalCommand.ParseTolerances(["0.1", "tremoloIndex=0.25", "f0RmseCents=0"]);
        Assert.Equal(0.1, all);
        Assert.Equal(new Dictionary<string, double> { ["tremoloIndex"] = 0.25, ["f0RmseCents"] = 0 }, per);
        Assert.Throws<WaveFlowException>(() => EvalCommand.ParseTolerances(["pitch=0.1"]));
        Assert.Throws<WaveFlowException>(() => EvalCommand.ParseTolerances(["-0.1"]));
        // a bad tolerance is refused before any synthesis (exit 2)
        Assert.Equal(2, CliRunner.Run("eval", "--checkpoint", "missing.safetensors", "--data", "missing", "--tolerance", "tremolo=0.2", "--device", "cpu"));
    }
}
