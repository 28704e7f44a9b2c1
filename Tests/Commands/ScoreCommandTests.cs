using System.Text.Json;
using WaveFlow.Audio.Wav;
using WaveFlow.Core;
using WaveFlow.Evaluation.Scoring;
using WaveFlow.Tests.Support;

namespace WaveFlow.Tests.Commands;

/// <summary><c>waveflow score</c> on edits made with sox (Tests/Fixtures/prosody/README.md): each reads as what it is.</summary>
public class ScoreCommandTests
{
    static string P(string name) => Fixture.Path_("prosody", name);

    static JsonElement RunJson(TempDir tmp, string[] outputs, string[] references)
    {
        var json = tmp["score.json"];
        Assert.Equal(0, CliRunner.Run(["score", .. outputs, "--reference", .. references, "--json", json]));
        return JsonDocument.Parse(File.ReadAllText(json)).RootElement;
    }

    [Fact]
    public void EditsMadeWithSoxReadAsWhatTheyAre()
    {
        using var tmp = new TempDir();
        var root = RunJson(tmp,
            [P("rec.wav"), P("rec-pitch100.wav"), P("rec-tremolo-6-20.wav"), P("rec-tremolo-6-40.wav")],
            [P("rec.wav"), P("rec.wav"), P("rec.wav"), P("rec.wav")]);
        Assert.Equal("waveflow-score", root.GetProperty("format").GetString());
        var files = root.GetProperty("files").EnumerateArray().ToList();
        double M(int i, string name) => files[i].GetProperty(name).GetDouble();

        // the recording against itself: 0 everywhere
        foreach (var name in new[] { "log_mel_l1", "mcd_db", "spectral_convergence", "lsd_db", "f0_rmse_cents", "voicing_error", "hnr_gap_db", "tremolo_index" })
            Assert.Equal(0, M(0, name));
        // +100 cents: about 100 cents, little voicing error and little wobble (measured 100.2, 0.032 and 9.3)
        Assert.InRange(M(1, "f0_rmse_cents"), 85, 115);
        Assert.True(M(1, "pitch_wobble_cents") < 15);
        Assert.True(M(1, "voicing_error") < 0.1);
        // tremolo: the index grows with the depth added and reads it (measured 0.201 and 0.402), pitch barely moves
        Assert.Equal(0.20, M(2, "tremolo_index"), 0.03);
        Assert.Equal(0.40, M(3, "tremolo_index"), 0.03);
        Assert.True(M(2, "f0_rmse_cents") < 5 && M(3, "f0_rmse_cents") < 5);
    }

    [Fact]
    public void AWhisperingOutputIsPenalisedInTheMeansNotDropped()
    {
        using var tmp = new TempDir();
        // the recording's own frame envelope filled with noise: no pitch left
        var rec = WavFile.Read(P("rec.wav")).Samples;
        var rng = new Random(7);
        var whisper = new float[rec.Length];
        for (int s = 0; s < rec.Length; s += 256)
        {
            int e = Math.Min(rec.Length, s + 256);
            double rms = Math.Sqrt(rec[s..e].Sum(v => (double)v * v) / (e - s));
            for (int i = s; i < e; i++) whisper[i] = (float)(rms * Math.Sqrt(3) * (2 * rng.NextDouble() - 1));
        }
        WavFile.Write(tmp["whisper.wav"], whisper, 22050);
        var root = RunJson(tmp, [P("rec-tremolo-6-20.wav"), tmp["whisper.wav"]], [P("rec.wav"), P("rec.wav")]);
        var files = root.GetProperty("files").EnumerateArray().ToList();
        var mean = root.GetProperty("mean");
        Assert.Equal(JsonValueKind.Null, files[1].GetProperty("f0_rmse_cents").ValueKind);
        Assert.Equal(JsonValueKind.Null, files[1].GetProperty("pitch_wobble_cents").ValueKind);
        Assert.True(files[1].GetProperty("f0_coverage").GetDouble() < 0.05);
        Assert.True(files[1].GetProperty("reference_voiced_frames").GetInt32() > 50);
        Assert.Equal(1, mean.GetProperty("files_without_f0").GetInt32());
        // the coverage mean counts the whisper as (about) 0: half of the tremolo file's
        double coverage = files[0].GetProperty("f0_coverage").GetDouble();
        Assert.Equal((coverage + files[1].GetProperty("f0_coverage").GetDouble()) / 2, mean.GetProperty("f0_coverage").GetDouble(), 1e-9);
        Assert.True(mean.GetProperty("f0_coverage").GetDouble() < 0.55);
        // every F0 figure comes with its frames
        Assert.Equal(files[0].GetProperty("f0_gross_frames").GetInt32() + files[0].GetProperty("f0_fine_frames").GetInt32(),
            files[0].GetProperty("voiced_frames").GetInt32());
        Assert.True(files[0].GetProperty("wobble_frames").GetInt32() > 50);
    }

    [Fact]
    public void TwoFoldersArePairedByName()
    {
        using var tmp = new TempDir();
        Directory.CreateDirectory(tmp["out"]);
        Directory.CreateDirectory(tmp["ref"]);
        File.Copy(P("rec-tremolo-6-40.wav"), Path.Combine(tmp["out"], "a.wav"));
        File.Copy(P("rec.wav"), Path.Combine(tmp["ref"], "a.wav"));
        File.Copy(P("tone.wav"), Path.Combine(tmp["ref"], "unpaired.wav"));
        var files = RunJson(tmp, [tmp["out"]], [tmp["ref"]]).GetProperty("files").EnumerateArray().ToList();
        Assert.Single(files);
        Assert.Equal(0.40, files[0].GetProperty("tremolo_index").GetDouble(), 0.03);
    }

    [Fact]
    public void NoVoicedFrameGivesNullF0NotNaN()
    {
        using var tmp = new TempDir();
        var rng = new Random(4);
        var noise = Enumerable.Range(0, 22050).Select(_ => (float)(0.5 * (rng.NextDouble() - 0.5))).ToArray();
        WavFile.Write(tmp["a.wav"], noise, 22050);
        WavFile.Write(tmp["b.wav"], noise.Select(v => v * 0.8f).ToArray(), 22050);
        var file = RunJson(tmp, [tmp["a.wav"]], [tmp["b.wav"]]).GetProperty("files")[0];
        Assert.Equal(JsonValueKind.Null, file.GetProperty("f0_rmse_cents").ValueKind);
        Assert.Equal(0, file.GetProperty("voiced_frames").GetInt32());
    }

    [Fact]
    public void PairsThatCannotBeAlignedAreInputErrorsNamingTheFile()
    {
        using var tmp = new TempDir();
        var rec = WavFile.Read(P("rec.wav")).Samples;
        WavFile.Write(tmp["16k.wav"], rec, 16000);
        var e = Assert.Throws<WaveFlowException>(() => FileScorer.Score(tmp["16k.wav"], P("rec.wav")));
        Assert.StartsWith($"{tmp["16k.wav"]}: sample rate 16000 Hz, but the reference", e.Message);
        e = Assert.Throws<WaveFlowException>(() => FileScorer.Score(P("tone.wav"), P("rec.wav")));     // 3 s against 2.5 s
        Assert.Contains("cannot be aligned", e.Message);
        Assert.Equal(2, CliRunner.Run("score", P("tone.wav"), "--reference", P("rec.wav")));
        Assert.Equal(2, CliRunner.Run("score", P("rec.wav"), P("tone.wav"), "--reference", P("rec.wav")));   // 2 outputs, 1 reference
        Assert.Equal(2, CliRunner.Run("score", tmp["missing.wav"], "--reference", P("rec.wav")));
        Assert.False(File.Exists(tmp["score.json"]));
    }
}
