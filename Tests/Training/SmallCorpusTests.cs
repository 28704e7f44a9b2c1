using WaveFlow.Tests.Support;

namespace WaveFlow.Tests.Training;

/// <summary>A corpus too small for the batch size: the error names the corpus and every count.</summary>
public class SmallCorpusTests
{
    [Fact]
    public void TooFewTrainingClipsNameTheCorpusAndTheCounts()
    {
        using var tmp = new TempDir();
        string corpus = tmp.CopyCorpus();
        var metadata = Path.Combine(corpus, "metadata.csv");
        File.WriteAllLines(metadata, File.ReadAllLines(metadata).Take(3));          // 3 clips: 1 validation, 1 test, 1 to train
        var config = Path.Combine(AppContext.BaseDirectory, "configs", "waveflow-tiny.json");   // batch_size 2
        var (code, error) = CliRunner.RunWithError("train", "--config", config, "--data", corpus, "--out", tmp["run"], "--device", "cpu");
        Assert.Equal(2, code);
        Assert.StartsWith(corpus, error);
        Assert.Contains("has 3 usable clip(s); after 1 for validation and 1 for test, 1 remain for training, fewer than train_config.batch_size (2)", error);
        Assert.False(Directory.Exists(tmp["run"]));
    }
}
