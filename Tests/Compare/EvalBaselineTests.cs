using WaveFlow.Vocoder.Evaluation;

namespace WaveFlow.Tests.Compare;

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
        var path = Path.Combine(Path.GetTempPath(), $"eval{Guid.NewGuid():N}.json");
        var report = Report(1.25, 0.5);
        report.Write(path);
        var back = EvalReport.Read(path);
        Assert.Equal(report.Settings, back.Settings);
        Assert.Equal(report.Clips, back.Clips);
        Assert.Equal(0.875, back.Mean.LogMelL1, 12);
        File.WriteAllText(path, "{\"format\":\"other\",\"version\":1}");
        Assert.StartsWith($"{path}: format is \"other\"", Assert.Throws<WaveFlowException>(() => EvalReport.Read(path)).Message);
        File.Delete(path);
    }
}
