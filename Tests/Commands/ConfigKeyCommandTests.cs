using System.Text.Json;
using System.Text.Json.Nodes;
using WaveFlow.Audio;
using WaveFlow.Tests.Support;
using WaveFlow.Training.Run;
using WaveFlow.Vocoder.Checkpoints;
using static TorchSharp.torch;

namespace WaveFlow.Tests.Commands;

/// <summary>
/// One config file given to <c>train</c>, <c>synthesize --config</c> and <c>bench --config</c> (and
/// <c>mel</c>, <c>info</c>): every key gets the same answer from every command: a misspelt,
/// repeated or wrongly typed key the same one-line error (exit 2), <c>mel_fmax: null</c> the
/// Nyquist frequency. The config is the micro fixture model (its waveglow_config, NVIDIA's STFT
/// with 16 mels) with the tiny config's training settings, so that all commands can run it.
/// </summary>
[Collection(ProcessWideMeasurement.Name)]
public class ConfigKeyCommandTests
{
    private static JsonObject Config()
    {
        var tiny = JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "configs", "waveflow-tiny.json")))!.AsObject();
        var micro = JsonNode.Parse(File.ReadAllText(Fixture.Path_("micro", "config.json")))!.AsObject();
        var train = tiny["train_config"]!.AsObject();
        train["with_tensorboard"] = false;
        return new JsonObject
        {
            ["train_config"] = train.DeepClone(),
            ["data_config"] = new JsonObject
            {
                ["training_files"] = "", ["segment_length"] = 4000, ["sampling_rate"] = 22050, ["filter_length"] = 1024,
                ["hop_length"] = 256, ["win_length"] = 1024, ["n_mel_channels"] = 16, ["mel_fmin"] = 0.0, ["mel_fmax"] = 8000.0,
            },
            ["dist_config"] = new JsonObject { ["dist_backend"] = "nccl", ["dist_url"] = "tcp://localhost:54321" },
            ["waveglow_config"] = micro["waveglow_config"]!.DeepClone(),
        };
    }

    /// <summary>The three commands on <paramref name="config"/>: (exit code, error) of each.</summary>
    private static Dictionary<string, (int Code, string? Error)> RunAll(TempDir tmp, string config, string tag)
    {
        return new()
        {
            ["train"] = CliRunner.RunWithError("train", "--config", config, "--data", Fixture.Path_("corpus-mini"), "--out", tmp[$"run-{tag}"],
                "--iterations", "1", "--device", "cpu", "--threads", "1"),
            ["synthesize"] = CliRunner.RunWithError("synthesize", "--device", "cpu", "-c", ModelFixture.WeightsPath("micro"), "--config", config,
                Fixture.Path_("micro", "infer.mel.npy"), "-o", tmp[$"audio-{tag}"]),
            ["bench"] = CliRunner.RunWithError("bench", "--config", config, "--seconds", "0.05", "--repeats", "1", "--warmup", "0", "--device", "cpu", "--threads", "1"),
            ["mel"] = CliRunner.RunWithError("mel", Fixture.Path_("mel", "WF001-0001.wav"), "-o", tmp[$"mel-{tag}"], "--config", config, "--device", "cpu"),
            ["info"] = CliRunner.RunWithError("info", ModelFixture.WeightsPath("micro"), "--config", config, "--device", "cpu"),
        };
    }

    [Theory]
    [InlineData("data_config", "mel_fmx", "8000.0", "unknown key data_config.mel_fmx (known: filter_length,")]
    [InlineData("waveglow_config", "n_flow", "6", "unknown key waveglow_config.n_flow (known: WN_config,")]
    [InlineData("train_config", "learing_rate", "0.001", "unknown key train_config.learing_rate (known: batch_size,")]
    [InlineData("dist_config", "dist_backnd", "\"mpi\"", "unknown key dist_config.dist_backnd (known: dist_backend,")]
    [InlineData("data_config", "hop_length", "\"256\"", "data_config.hop_length appears twice")]
    [InlineData("data_config", "sampling_rate", "null", "data_config.sampling_rate appears twice")]
    [InlineData("waveglow_config", "n_group", "8.0", "waveglow_config.n_group appears twice")]
    public void AKeyGetsTheSameErrorFromEveryCommand(string section, string key, string value, string expected)
    {
        using var tmp = new TempDir();
        var config = tmp["config.json"];
        // The key is added at the section's start: a misspelt key is new, a known one is then given twice.
        string json = Config().ToJsonString(), opening = $"\"{section}\":{{";
        int at = json.IndexOf(opening, StringComparison.Ordinal) + opening.Length;
        File.WriteAllText(config, json[..at] + $"\"{key}\":{value}," + json[at..]);

        var results = RunAll(tmp, config, "bad");
        foreach (var (command, (code, error)) in results)
        {
            Assert.True(code == 2, $"{command}: exit {code}, error {error}");
            Assert.StartsWith($"{config}: {expected}", error);
        }
        Assert.Single(results.Values.Select(r => r.Error).Distinct());
        Assert.False(Directory.Exists(tmp["run-bad"]));
        Assert.False(Directory.Exists(tmp["audio-bad"]));
    }

    [Fact]
    public void AWrongTypeGetsTheSameErrorFromEveryCommand()
    {
        using var tmp = new TempDir();
        var config = tmp["config.json"];
        var c = Config();
        c["data_config"]!["hop_length"] = "256";
        File.WriteAllText(config, c.ToJsonString());
        var results = RunAll(tmp, config, "bad");
        Assert.All(results.Values, r => Assert.Equal((2, $"{config}: data_config.hop_length must be an integer, got \"256\""), r));
    }

    [Fact]
    public void MelFmaxNullIsTheNyquistFrequencyInEveryCommand()
    {
        using var tmp = new TempDir();
        var config = tmp["config.json"];
        var c = Config();
        c["data_config"]!["mel_fmax"] = null;
        File.WriteAllText(config, c.ToJsonString());

        var results = RunAll(tmp, config, "null");
        foreach (var (command, (code, error)) in results)
            Assert.True(code == 0, $"{command}: exit {code}, error {error}");

        // train: the resolved config and the checkpoint's metadata say 11025 (= 22050 / 2).
        var run = new RunFolder(tmp["run-null"]);
        using (var resolved = JsonDocument.Parse(File.ReadAllText(run.ConfigPath)))
            Assert.Equal(11025.0, resolved.RootElement.GetProperty("data_config").GetProperty("mel_fmax").GetDouble());
        var trained = CheckpointLoader.Load(run.ModelPath(1), CPU);
        using (trained.Model) Assert.Equal(11025.0, trained.Mel.MelFmax);
        // synthesize and info read --config through CheckpointLoader.ReadConfig (after the whole-file check that
        // is train's reader, which bench uses for its model); the library's MelOptions.Load reads it alike.
        Assert.Equal(11025.0, CheckpointLoader.ReadConfig(config).Mel.MelFmax);
        Assert.Equal(11025.0, MelOptions.Load(config).MelFmax);
        // mel wrote the same mel as an explicit 11025 does.
        c["data_config"]!["mel_fmax"] = 11025.0;
        File.WriteAllText(tmp["explicit.json"], c.ToJsonString());
        Assert.Equal(0, CliRunner.Run("mel", Fixture.Path_("mel", "WF001-0001.wav"), "-o", tmp["mel-explicit"], "--config", tmp["explicit.json"], "--device", "cpu"));
        Assert.Equal(File.ReadAllBytes(Path.Combine(tmp["mel-null"], "WF001-0001.mel.npy")),
            File.ReadAllBytes(Path.Combine(tmp["mel-explicit"], "WF001-0001.mel.npy")));
    }
}
