using WaveFlow.Cli;

namespace WaveFlow.Tests.Commands;

/// <summary>The shared progress display's plain lines (what logs and CI see) and its ETA.</summary>
public class ProgressDisplayTests
{
    [Theory]
    [InlineData(59.4, "00:00:59")]
    [InlineData(3 * 3600 + 125, "03:02:05")]
    [InlineData(2 * 86400 + 5 * 3600 + 7 * 60, "2d 05:07")]          // not "05:07:00": the days were dropped
    [InlineData(400 * 86400.0, "> 1 year")]
    [InlineData(1e15, "> 1 year")]                                   // past TimeSpan's range
    [InlineData(double.PositiveInfinity, "> 1 year")]
    public void EtaKeepsTheDays(double seconds, string expected) => Assert.Equal(expected, ProgressDisplay.FormatEta(seconds));

    [Fact]
    public void StepLinesComeEveryIntervalWithTheEtaAndAtTheEnd()
    {
        var output = new StringWriter();
        var now = TimeSpan.Zero;
        var progress = new PlainProgress(output, TimeSpan.FromSeconds(10), () => now);
        // 100 steps, 2 s each, reported as each is done.
        for (int step = 1; step <= 100; step++)
        {
            now = TimeSpan.FromSeconds(2 * step);
            progress.Report($"it {step}", step, 100);
        }
        var lines = output.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        // Every 10 s (5 steps) from the first report at 2 s: 10 s, 20 s, ... 200 s; the last is the end, without an ETA.
        Assert.Equal(20, lines.Length);
        Assert.Equal("it 5  ETA 00:03:10", lines[0]);                  // 95 steps left at 2 s a step
        Assert.Equal("it 50  ETA 00:01:40", lines[9]);
        Assert.Equal("it 100", lines[^1]);
    }

    [Fact]
    public void ItemLinesComeOneAnItemWithoutAnEtaWhenNothingIsDoneYet()
    {
        var output = new StringWriter();
        var now = TimeSpan.Zero;
        var progress = new PlainProgress(output, TimeSpan.Zero, () => now);
        progress.Report("[1/3] a.wav", 0, 3);
        now = TimeSpan.FromSeconds(4);
        progress.Report("[2/3] b.wav", 1, 3);
        now = TimeSpan.FromSeconds(8);
        progress.Report("[3/3] c.wav", 2, 3);
        progress.Report("[3/3] done", 3, 3);
        Assert.Equal(["[1/3] a.wav", "[2/3] b.wav  ETA 00:00:08", "[3/3] c.wav  ETA 00:00:04", "[3/3] done"],
            output.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void NoEndMeansNoEta()
    {
        var output = new StringWriter();
        var now = TimeSpan.Zero;
        var progress = new PlainProgress(output, TimeSpan.Zero, () => now);
        for (int step = 1; step <= 3; step++)
        {
            now = TimeSpan.FromSeconds(step);
            progress.Report($"it {step}", step, 0);
        }
        Assert.Equal(["it 1", "it 2", "it 3"], output.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries));
    }
}
