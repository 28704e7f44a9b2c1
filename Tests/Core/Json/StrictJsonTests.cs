using System.Text.Json.Serialization;
using WaveFlow.Audio;
using WaveFlow.Core;
using WaveFlow.Core.Json;
using WaveFlow.Core.Serialization;
using WaveFlow.Tests.Support;
using WaveFlow.Training.Config;
using WaveFlow.Vocoder;
using WaveFlow.Vocoder.Checkpoints;

namespace WaveFlow.Tests.Core.Json;

/// <summary>The one JSON reader: what it refuses, how it names the key, what absent keys and
/// mel_fmax null become, and that every reader of a section answers alike.</summary>
public class StrictJsonTests
{
    internal sealed record Inner([property: JsonPropertyName("k")] int K, [property: JsonPropertyName("tag")] string Tag = "");

    internal sealed record Outer
    {
        [JsonPropertyName("count")] public int Count { get; init; } = 3;
        [JsonPropertyName("rate")] public double Rate { get; init; } = 0.5;
        [JsonPropertyName("name")] public string Name { get; init; } = "x";
        [JsonPropertyName("note")] public string? Note { get; init; }
        [JsonPropertyName("limit")] public long? Limit { get; init; }
        [JsonPropertyName("on")] public bool On { get; init; }
        [JsonPropertyName("inner")] public Inner? Child { get; init; }
        [JsonPropertyName("items")] public IReadOnlyList<Inner> Items { get; init; } = [];
    }

    private static string Error(string json, string? at = null) =>
        Assert.Throws<WaveFlowException>(() => StrictJson.Parse<Outer>(json, "f.json", at)).Message;

    [Fact]
    public void AbsentKeysKeepTheDefaultsAndGivenOnesAreRead()
    {
        Assert.Equal(new Outer(), StrictJson.Parse<Outer>("{}", "f.json"));
        var o = StrictJson.Parse<Outer>("""
            // comments are allowed
            { "count": 7, "rate": 2, "note": null, "limit": 9, "on": true, "inner": { "k": 1 }, "items": [{ "k": 2, "tag": "b" }] }
            """, "f.json");
        Assert.Equal((7, 2.0, "x", null, 9L, true, new Inner(1)), (o.Count, o.Rate, o.Name, o.Note, o.Limit, o.On, o.Child));
        Assert.Equal([new Inner(2, "b")], o.Items);
    }

    [Theory]
    [InlineData("""{"cuont": 1}""", "f.json: unknown key cuont (known: count, inner, items, limit, name, note, on, rate)")]
    [InlineData("""{"inner": {"k": 1, "kk": 2}}""", "f.json: unknown key inner.kk (known: k, tag)")]
    [InlineData("""{"items": [{"k": 1}, {"k": 2, "x": 0}]}""", "f.json: unknown key items[1].x (known: k, tag)")]
    [InlineData("""{"count": 1, "count": 2}""", "f.json: count appears twice")]
    [InlineData("""{"inner": {"k": 1, "k": 1}}""", "f.json: inner.k appears twice")]
    [InlineData("""{"count": "3"}""", "f.json: count must be an integer, got \"3\"")]
    [InlineData("""{"count": 3.0}""", "f.json: count must be an integer, got 3.0")]
    [InlineData("""{"count": 1e10}""", "f.json: count must be an integer, got 1e10")]
    [InlineData("""{"rate": "0.5"}""", "f.json: rate must be a number, got \"0.5\"")]
    [InlineData("""{"on": 1}""", "f.json: on must be true or false, got 1")]
    [InlineData("""{"limit": "9"}""", "f.json: limit must be an integer or null, got \"9\"")]
    [InlineData("""{"inner": 4}""", "f.json: inner must be a JSON object or null, got 4")]
    [InlineData("""{"items": {}}""", "f.json: items must be a JSON array, got {}")]
    [InlineData("""{"items": [{"k": "one"}]}""", "f.json: items[0].k must be an integer, got \"one\"")]
    [InlineData("""{"count": null}""", "f.json: count must be an integer, got null")]
    [InlineData("""{"name": null}""", "f.json: name must be a string, got null")]
    [InlineData("""{"items": null}""", "f.json: items must be a JSON array, got null")]
    [InlineData("""{"inner": {"tag": "t"}}""", "f.json: inner lacks k")]
    [InlineData("""[1, 2]""", "f.json: must be a JSON object, got [1, 2]")]
    [InlineData("""null""", "f.json: must be a JSON object, got null")]
    [InlineData("{\n  \"count\": 1,\n}", "f.json: malformed JSON (line 3: ")]
    [InlineData("""{"count": NaN}""", "f.json: malformed JSON (line 1: ")]
    [InlineData("", "f.json: malformed JSON (line 1: ")]
    public void RefusesNamingTheFileAndTheKey(string json, string expectedStart)
    {
        string message = Error(json);
        Assert.StartsWith(expectedStart, message);
        Assert.DoesNotContain('\n', message);
    }

    [Fact]
    public void TextThatIsNotUtf8IsRefusedAndAByteOrderMarkIsSkipped()
    {
        Assert.Equal(7, StrictJson.Parse<Outer>([0xEF, 0xBB, 0xBF, .. "{\"count\": 7}"u8], "f.json").Count);
        var e = Assert.Throws<WaveFlowException>(() => StrictJson.Parse<Outer>([.. "{\"name\": \""u8, 0xC3, 0x28, .. "\"}"u8], "f.json"));
        Assert.Equal("f.json: not UTF-8 text", e.Message);
        foreach (var json in new[] { """{"name": "\ud800"}""", """{"\ud800": 1}""", """{"inner": {"\udc00x": 1}}""" })
            Assert.StartsWith("f.json: ", Assert.Throws<WaveFlowException>(() => StrictJson.Parse<Outer>(json, "f.json")).Message);
    }

    [Fact]
    public void ASectionStoredAloneIsNamedAsTheSection()
    {
        Assert.Equal("f.json: unknown key mel_config.cuont (known: count, inner, items, limit, name, note, on, rate)", Error("""{"cuont": 1}""", "mel_config"));
        Assert.Equal("f.json: mel_config must be a JSON object, got 3", Error("3", "mel_config"));
        Assert.StartsWith("f.json: mel_config: malformed JSON (line 1: ", Error("{", "mel_config"));
    }

    [Theory]
    [InlineData("""{"sampling_rate": 16000, "mel_fmax": null}""", 8000.0)]
    [InlineData("""{"mel_fmax": null, "sampling_rate": 44100}""", 22050.0)]   // the key order does not matter
    [InlineData("""{"mel_fmax": null}""", 11025.0)]
    [InlineData("""{"sampling_rate": 16000}""", 8000.0)]                      // absent: NVIDIA's 8000
    [InlineData("""{"sampling_rate": 48000, "mel_fmax": 7600}""", 7600.0)]
    public void MelFmaxNullIsTheNyquistFrequency(string json, double expected)
    {
        var mel = StrictJson.Parse<MelOptions>(json, "m.json");
        Assert.Equal(expected, mel.MelFmax);
        // Written back, the resolved number (readable by any version) and the same settings again.
        Assert.Equal(mel, StrictJson.Parse<MelOptions>(System.Text.Json.JsonSerializer.Serialize(mel), "again"));
        Assert.Contains($"\"mel_fmax\":{expected}", System.Text.Json.JsonSerializer.Serialize(mel));
    }

    /// <summary>The same data_config through each reader of a data_config: a sectioned config read by
    /// train, by the vocoder's --config and by the mel front end; and a mel_config stored alone.</summary>
    [Theory]
    [InlineData("""{"mel_fmax": null}""", null, 11025.0)]
    [InlineData("""{"sampling_rate": 16000, "mel_fmax": null}""", null, 8000.0)]
    [InlineData("""{"mel_fmx": 8000}""", "unknown key data_config.mel_fmx (known: filter_length, hop_length, max_wav_value, mel_fmax, mel_fmin, n_mel_channels, sampling_rate, segment_length, training_files, win_length)", 0)]
    [InlineData("""{"mel_fmax": 8000, "mel_fmax": null}""", "data_config.mel_fmax appears twice", 0)]
    [InlineData("""{"hop_length": 256.0}""", "data_config.hop_length must be an integer, got 256.0", 0)]
    [InlineData("""{"mel_fmax": "8000"}""", "data_config.mel_fmax must be a number or null, got \"8000\"", 0)]
    [InlineData("""{"mel_fmax": 12000}""", "data_config.mel_fmax (12000) must not exceed the Nyquist frequency 11025", 0)]
    public void EveryReaderOfASectionAnswersAlike(string dataConfig, string? error, double fmax)
    {
        using var tmp = new TempDir();
        var path = tmp["c.json"];
        File.WriteAllText(path, "{\"data_config\": " + dataConfig + ", \"waveglow_config\": {\"n_mel_channels\": 80}}");
        var readers = new Func<MelOptions>[]
        {
            () => TrainingConfig.Load(path).Mel,
            () => CheckpointLoader.ReadConfig(path).Mel,
            () => MelOptions.Load(path),
        };
        foreach (var read in readers)
        {
            if (error is null) Assert.Equal(fmax, read().MelFmax);
            else Assert.Equal($"{path}: {error}", Assert.Throws<WaveFlowException>(read).Message);
        }
    }

    [Fact]
    public void ADataConfigStoredAloneIsReadAsTheSection()
    {
        using var tmp = new TempDir();
        var path = tmp["mel.json"];
        File.WriteAllText(path, """{"segment_length": 16000, "training_files": "x.txt", "sampling_rate": 16000, "mel_fmax": null, "n_mel_channels": 64}""");
        Assert.Equal(new MelOptions { SamplingRate = 16000, MelFmax = 8000, NMelChannels = 64 }, MelOptions.Load(path));
        File.WriteAllText(path, """{"sampling_rate": 16000, "mel_fmx": 7600}""");
        Assert.StartsWith($"{path}: unknown key mel_fmx (known: filter_length,", Assert.Throws<WaveFlowException>(() => MelOptions.Load(path)).Message);
        File.WriteAllText(path, """{"hop_length": 200, "hop_length": 256}""");
        Assert.Equal($"{path}: hop_length appears twice", Assert.Throws<WaveFlowException>(() => MelOptions.Load(path)).Message);
        File.WriteAllText(path, """{"mel_fmax": 9000, "sampling_rate": 16000}""");
        Assert.StartsWith($"{path}: mel_fmax (9000) must not exceed the Nyquist frequency 8000", Assert.Throws<WaveFlowException>(() => MelOptions.Load(path)).Message);
    }

    [Fact]
    public void NvidiasConfigLoadsAsItIsThroughEveryReader()
    {
        var nvidia = Path.Combine(AppContext.BaseDirectory, "configs", "waveglow-ljspeech.json");
        var training = TrainingConfig.Load(nvidia);
        var (model, mel) = CheckpointLoader.ReadConfig(nvidia);
        Assert.Equal(training.Model, model);
        Assert.Equal(training.Mel, mel);
        Assert.Equal(training.Mel, MelOptions.Load(nvidia));
        Assert.Equal(training.Model, WaveGlowOptions.Load(nvidia));
        Assert.Equal((80, 8000.0, 16000), (mel.NMelChannels, mel.MelFmax, training.Data.SegmentLength));
    }

    /// <summary>Our checkpoint's metadata holds waveglow_config and mel_config as JSON: read like the
    /// same sections of a config file (the micro fixture's weights with a description written here).</summary>
    [Theory]
    [InlineData("{\"n_mel_channels\": 16, \"mel_fmax\": null}", null, 11025.0)]
    [InlineData("{\"n_mel_channels\": 16, \"sampling_rate\": 16000, \"mel_fmax\": null}", null, 8000.0)]
    [InlineData("{\"n_mel_channels\": 16, \"mel_fmx\": 8000}", "unknown key mel_config.mel_fmx (known: filter_length,", 0)]
    [InlineData("{\"n_mel_channels\": 16, \"hop_length\": 256, \"hop_length\": 200}", "mel_config.hop_length appears twice", 0)]
    [InlineData("{\"n_mel_channels\": \"16\"}", "mel_config.n_mel_channels must be an integer, got \"16\"", 0)]
    [InlineData("{\"n_mel_channels\": 16,", "mel_config: malformed JSON (line 1: ", 0)]
    public void CheckpointMetadataIsReadAsTheSameSections(string melConfig, string? error, double fmax)
    {
        using var tmp = new TempDir();
        var path = tmp["ck.safetensors"];
        var micro = ModelFixture.Options("micro");
        Safetensors.Write(path, Safetensors.Read(ModelFixture.WeightsPath("micro")).Tensors, new Dictionary<string, string>
        {
            ["format"] = WaveFlowCheckpoint.Format, ["version"] = "1", ["step"] = "3",
            ["waveglow_config"] = micro.ToJson(), ["mel_config"] = melConfig,
        });
        if (error is null)
        {
            var loaded = CheckpointLoader.Load(path, TorchSharp.torch.CPU);
            using (loaded.Model) Assert.Equal(fmax, loaded.Mel.MelFmax);
        }
        else Assert.StartsWith($"{path}: {error}", Assert.Throws<WaveFlowException>(() => CheckpointLoader.Load(path, TorchSharp.torch.CPU)).Message);

        Safetensors.Write(path, Safetensors.Read(ModelFixture.WeightsPath("micro")).Tensors, new Dictionary<string, string>
        {
            ["format"] = WaveFlowCheckpoint.Format, ["version"] = "1", ["step"] = "3",
            ["waveglow_config"] = micro.ToJson().Replace("\"n_flows\"", "\"n_flowz\""), ["mel_config"] = "{}",
        });
        Assert.StartsWith($"{path}: unknown key waveglow_config.n_flowz (known: WN_config,",
            Assert.Throws<WaveFlowException>(() => CheckpointLoader.Load(path, TorchSharp.torch.CPU)).Message);
    }

    [Fact]
    public void SectionsOtherReadersOwnMustStillBeObjectsWithoutRepeatedKeys()
    {
        using var tmp = new TempDir();
        var path = tmp["c.json"];
        File.WriteAllText(path, """{"train_config": {"seed": 1, "seed": 2}}""");
        Assert.Equal($"{path}: train_config.seed appears twice", Assert.Throws<WaveFlowException>(() => CheckpointLoader.ReadConfig(path)).Message);
        Assert.Equal($"{path}: train_config.seed appears twice", Assert.Throws<WaveFlowException>(() => MelOptions.Load(path)).Message);
        File.WriteAllText(path, """{"dist_config": 5}""");
        Assert.Equal($"{path}: dist_config must be a JSON object, got 5", Assert.Throws<WaveFlowException>(() => CheckpointLoader.ReadConfig(path)).Message);
        Assert.Equal($"{path}: dist_config must be a JSON object, got 5", Assert.Throws<WaveFlowException>(() => TrainingConfig.Load(path)).Message);
    }
}
