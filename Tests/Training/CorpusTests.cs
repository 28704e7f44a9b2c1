using WaveFlow.Audio.Wav;
using WaveFlow.Core;
using WaveFlow.Tests.Support;
using WaveFlow.Training.Data;

namespace WaveFlow.Tests.Training;

public class CorpusTests
{
    private static readonly string[] Ids = ["WF001-0001", "WF002-0002", "WF003-0003", "WF004-0004", "WF005-0005", "WF001-0006"];

    [Fact]
    public void ReadsLJSpeechLayoutInMetadataOrder()
    {
        var corpus = Corpus.Open(Fixture.Path_("corpus-mini"));
        Assert.Equal(Ids, corpus.Clips.Select(c => c.Id));
        Assert.All(corpus.Clips, c => Assert.True(File.Exists(c.WavPath), c.WavPath));
        var header = WavProbe.Check(corpus.Clips[0].WavPath, 22050);
        Assert.Equal(1, header.Channels);
        Assert.Equal(16, header.BitsPerSample);
        // 156722 bytes = 44-byte header + 2 bytes per sample (checked against the file size).
        Assert.Equal((new FileInfo(corpus.Clips[0].WavPath).Length - 44) / 2, header.Frames);
    }

    [Fact]
    public void ReadsNvidiaAndTacotronFilelists()
    {
        using var tmp = new TempDir();
        var corpus = tmp.CopyCorpus();
        File.WriteAllLines(tmp["train_files.txt"], [
            "# NVIDIA style: one path per line, relative to the list",
            "corpus/wavs/WF002-0002.wav",
            "",
            Path.Combine(corpus, "wavs", "WF001-0001.wav") + "|Tacotron2 style with text",
        ]);
        var list = Corpus.Open(tmp["train_files.txt"]);
        Assert.Equal(["WF002-0002", "WF001-0001"], list.Clips.Select(c => c.Id));
    }

    [Fact]
    public void MissingWavNamesTheFileAndTheMetadataLine()
    {
        using var tmp = new TempDir();
        var corpus = tmp.CopyCorpus();
        var missing = Path.Combine(corpus, "wavs", "WF003-0003.wav");
        File.Delete(missing);
        var e = Assert.Throws<WaveFlowException>(() => Corpus.Open(corpus));
        Assert.Contains(missing, e.Message);
        Assert.Contains("metadata.csv:3", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Theory]
    [InlineData("WF001-0001 has no separator", "got 1 field")]
    [InlineData("|empty id|empty id", "not a valid file name")]
    [InlineData("a|b|c|d", "got 4 field")]
    public void MalformedMetadataLineNamesFileAndLine(string badLine, string problem)
    {
        using var tmp = new TempDir();
        var corpus = tmp.CopyCorpus();
        var metadata = Path.Combine(corpus, "metadata.csv");
        var lines = File.ReadAllLines(metadata).ToList();
        lines.Insert(4, badLine);
        File.WriteAllLines(metadata, lines);
        var e = Assert.Throws<WaveFlowException>(() => Corpus.Open(corpus));
        Assert.StartsWith($"{metadata}:5: malformed line", e.Message);
        Assert.Contains(problem, e.Message);
    }

    [Fact]
    public void DuplicateIdIsRefused()
    {
        using var tmp = new TempDir();
        var corpus = tmp.CopyCorpus();
        var metadata = Path.Combine(corpus, "metadata.csv");
        File.AppendAllLines(metadata, [File.ReadLines(metadata).First()]);
        var e = Assert.Throws<WaveFlowException>(() => Corpus.Open(corpus));
        Assert.Contains("metadata.csv:7: id WF001-0001 is listed twice (first on line 1)", e.Message);
    }

    [Fact]
    public void WrongSampleRateNamesTheFileAndBothRates()
    {
        using var tmp = new TempDir();
        var wav = tmp["16k.wav"];
        File.WriteAllBytes(wav, WavFile.Encode(new float[1600], 16000));
        var e = Assert.Throws<WaveFlowException>(() => WavProbe.Check(wav, 22050));
        Assert.StartsWith($"{wav}: sample rate is 16000 Hz", e.Message);
        Assert.Contains("22050", e.Message);
    }

    [Fact]
    public void NotAWavIsRefused()
    {
        using var tmp = new TempDir();
        var wav = tmp["text.wav"];
        File.WriteAllText(wav, "hello, this is not audio");
        var e = Assert.Throws<WaveFlowException>(() => WavProbe.Check(wav, 22050));
        Assert.Contains("not a WAV file", e.Message);
    }

    [Fact]
    public void TruncatedClipIsRefusedBeforeTraining()
    {
        using var tmp = new TempDir();
        var wav = tmp["cut.wav"];
        var bytes = WavFile.Encode(new float[2205], 22050);      // 44-byte header + 4410 bytes
        File.WriteAllBytes(wav, bytes[..^1000]);                           // an interrupted copy
        var e = Assert.Throws<WaveFlowException>(() => WavProbe.Check(wav, 22050));
        Assert.Equal($"{wav}: truncated: header says 4410 bytes of audio data, file has 3410", e.Message);
    }

    [Fact]
    public void SplitIsSeededDisjointAndRoundTrips()
    {
        using var tmp = new TempDir();
        var corpus = Corpus.Open(Fixture.Path_("corpus-mini"));
        var a = DataSplit.Create(corpus, 2, 1, seed: 7);
        var b = DataSplit.Create(corpus with { Clips = corpus.Clips.Reverse().ToList() }, 2, 1, seed: 7);
        Assert.Equal(a.Validation.Select(c => c.Id), b.Validation.Select(c => c.Id));   // listing order does not matter
        Assert.Equal((3, 2, 1), (a.Train.Count, a.Validation.Count, a.Test.Count));
        var all = a.Train.Concat(a.Validation).Concat(a.Test).Select(c => c.Id).ToList();
        Assert.Equal(Ids.Order(), all.Order());                                          // a partition
        var other = Enumerable.Range(1, 20).Select(s => DataSplit.Create(corpus, 2, 1, s).Validation[0].Id).Distinct();
        Assert.True(other.Count() > 1, "different seeds must give different splits");
        a.Write(tmp.Path);
        var read = DataSplit.Read(tmp.Path);
        Assert.Equal(a.Train.Select(c => c.WavPath), read.Train.Select(c => c.WavPath));
        Assert.Equal(a.Test.Select(c => c.WavPath), read.Test.Select(c => c.WavPath));
        var e = Assert.Throws<WaveFlowException>(() => DataSplit.Create(corpus, 4, 2, 1));
        Assert.Contains("leave none for training", e.Message);
    }
}
