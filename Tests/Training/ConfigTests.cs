using WaveFlow.Core;
using WaveFlow.Training.Config;
using WaveFlow.Vocoder;

namespace WaveFlow.Tests.Training;

public class ConfigTests
{
    public static string ShippedConfig(string name) => Path.Combine(AppContext.BaseDirectory, "configs", name);

    [Fact]
    public void NvidiasConfigLoadsWithItsValues()
    {
        var c = TrainingConfig.Load(ShippedConfig("waveglow-ljspeech.json"));
        Assert.Equal((12, 8, 4, 2), (c.Model.NFlows, c.Model.NGroup, c.Model.NEarlyEvery, c.Model.NEarlySize));
        Assert.Equal((8, 256, 3), (c.Model.WN.NLayers, c.Model.WN.NChannels, c.Model.WN.KernelSize));
        Assert.Equal((1e-4, 1.0, 12, 16000, 2000, 1234L), (c.Train.LearningRate, c.Train.Sigma, c.Train.BatchSize, c.Data.SegmentLength, c.Train.ItersPerCheckpoint, c.Train.Seed));
        Assert.Equal((22050, 1024, 256, 1024, 80, 0.0, 8000.0), (c.Mel.SamplingRate, c.Mel.FilterLength, c.Mel.HopLength, c.Mel.WinLength, c.Mel.NMelChannels, c.Mel.MelFmin, c.Mel.MelFmax));
        Assert.True(c.Train.Fp16Run);
        Assert.Equal("train_files.txt", c.Data.TrainingFiles);
    }

    [Theory]
    [InlineData("waveflow-baseline.json", 8, 4, 128, 1e-4, 0.0)]
    [InlineData("waveflow-small.json", 8, 4, 64, 1e-3, 5.0)]
    [InlineData("waveflow-tiny.json", 4, 2, 16, 1e-3, 5.0)]
    public void OurConfigsLoad(string name, int flows, int layers, int channels, double lr, double clip)
    {
        var c = TrainingConfig.Load(ShippedConfig(name));
        Assert.Equal((flows, layers, channels), (c.Model.NFlows, c.Model.WN.NLayers, c.Model.WN.NChannels));
        Assert.Equal((lr, clip), (c.Train.LearningRate, c.Train.GradClipThresh));
        // The resolved config (every key written) reads back to the same config.
        var again = TrainingConfig.Parse(c.ToJson(), "resolved");
        Assert.Equal(c.ToJson(), again.ToJson());
        Assert.Equal(c.Train, again.Train);
        Assert.Equal(c.Mel, again.Mel);
    }

    public static TheoryData<string> AllShippedConfigs() =>
        new(Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "configs"), "*.json").Select(Path.GetFileName).Order()!);

    [Theory]
    [MemberData(nameof(AllShippedConfigs))]
    public void EveryShippedConfigLoadsAndBuildsItsModel(string name)
    {
        var c = TrainingConfig.Load(ShippedConfig(name));
        using var model = new WaveGlow(c.Model, c.Mel);
        Assert.True(model.parameters().Any());
    }

    [Theory]
    [InlineData("""{"train_config": {"learing_rate": 1e-3}}""", "cfg.json: unknown key train_config.learing_rate")]
    [InlineData("""{"train_config": {"batch_size": "12"}}""", "cfg.json: train_config.batch_size must be an integer, got \"12\"")]
    [InlineData("""{"train_config": {"batch_size": 1.5}}""", "cfg.json: train_config.batch_size must be an integer, got 1.5")]
    [InlineData("""{"train_config": {"fp16_run": 1}}""", "cfg.json: train_config.fp16_run must be true or false, got 1")]
    [InlineData("""{"data_config": {"segment_lenght": 16000}}""", "cfg.json: unknown key data_config.segment_lenght")]
    [InlineData("""{"data_config": {"hop_length": "256"}}""", "cfg.json: data_config.hop_length must be an integer")]
    [InlineData("""{"trian_config": {}}""", "cfg.json: unknown key trian_config (known: data_config, dist_config, train_config, waveglow_config)")]
    [InlineData("""{"train_config": {"batch_size": 4, "batch_size": 8}}""", "cfg.json: train_config.batch_size appears twice")]
    [InlineData("""{"data_config": {"mel_fmax": 8000, "mel_fmax": 7600}}""", "cfg.json: data_config.mel_fmax appears twice")]
    [InlineData("""{"data_config": {"mel_fmx": 8000}}""", "cfg.json: unknown key data_config.mel_fmx (known: filter_length, hop_length, max_wav_value, mel_fmax, mel_fmin, n_mel_channels, sampling_rate, segment_length, training_files, win_length)")]
    [InlineData("""{"data_config": {"sampling_rate": null}}""", "cfg.json: data_config.sampling_rate must be an integer, got null")]
    [InlineData("""{"data_config": {"mel_fmax": "8000"}}""", "cfg.json: data_config.mel_fmax must be a number or null, got \"8000\"")]
    [InlineData("""{"train_config": {"output_directory": null}}""", "cfg.json: train_config.output_directory must be a string, got null")]
    [InlineData("""{"dist_config": null}""", "cfg.json: dist_config must be a JSON object, got null")]
    [InlineData("""{"waveglow_config": {"WN_config": {"n_layers": 8.0}}}""", "cfg.json: waveglow_config.WN_config.n_layers must be an integer, got 8.0")]
    [InlineData("""{"waveglow_config": {"WN_config": {"n_layer": 8}}}""", "cfg.json: unknown key waveglow_config.WN_config.n_layer (known: kernel_size, n_channels, n_layers)")]
    [InlineData("""{"waveglow_config": {"n_group": 7}}""", "cfg.json: waveglow_config.n_group must be even")]
    [InlineData("""{"train_config": []}""", "cfg.json: train_config must be a JSON object")]
    [InlineData("""{"train_config": {"batch_size": 0}}""", "cfg.json: train_config.batch_size must be at least 1")]
    [InlineData("""{"train_config": {"lr_schedule": "linear"}}""", "cfg.json: train_config.lr_schedule must be one of")]
    [InlineData("""{"data_config": {"segment_length": 16001}}""", "cfg.json: data_config.segment_length must be a multiple of n_group (8)")]
    [InlineData("""{"data_config": {"n_mel_channels": 40}}""", "cfg.json: data_config.n_mel_channels (40) differs from waveglow_config.n_mel_channels (80)")]
    [InlineData("""{"waveglow_config": {"n_flow": 8}}""", "cfg.json: unknown key waveglow_config.n_flow")]
    [InlineData("""{"train_config": {"epochs": 1,}}""", "cfg.json: malformed JSON")]
    public void BadConfigsNameTheKey(string json, string expectedStart)
    {
        var e = Assert.Throws<WaveFlowException>(() => TrainingConfig.Parse(json, "cfg.json"));
        Assert.StartsWith(expectedStart, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void MissingKeysTakeNvidiasValues()
    {
        var c = TrainingConfig.Parse("{}", "empty");
        Assert.Equal(new TrainOptions(), c.Train);
        Assert.Equal((12, 256), (c.Model.NFlows, c.Model.WN.NChannels));
        Assert.Equal(16000, c.Data.SegmentLength);
    }

    [Fact]
    public void ResumeMayChangeTrainingButNotTheModel()
    {
        var run = TrainingConfig.Load(ShippedConfig("waveflow-tiny.json"));
        var longer = run with { Train = run.Train with { MaxIterations = 999, LearningRate = 5e-4 }, Source = "new.json" };
        Assert.Equal(999, run.ForResume(longer, "run/config.json").Train.MaxIterations);
        var bigger = run with { Model = run.Model with { NFlows = 6 }, Source = "new.json" };
        var e = Assert.Throws<WaveFlowException>(() => run.ForResume(bigger, "run/config.json"));
        Assert.StartsWith("new.json: waveglow_config.n_flows is 6, but the run being resumed (run/config.json) has 4", e.Message);
    }

    [Fact]
    public void ResumeNamesTheChangedTrainingKeys()
    {
        var run = TrainingConfig.Load(ShippedConfig("waveflow-tiny.json"));
        Assert.Empty(run.TrainChanges(run));
        var changed = run with { Train = run.Train with { LearningRate = run.Train.LearningRate / 2, BatchSize = run.Train.BatchSize + 1 } };
        var changes = run.TrainChanges(changed);
        Assert.Equal(2, changes.Count);
        Assert.Contains($"learning_rate: {run.Train.LearningRate} → {run.Train.LearningRate / 2}", changes);
        Assert.Contains($"batch_size: {run.Train.BatchSize} → {run.Train.BatchSize + 1} (the data order from here differs from the original run's)", changes);
    }
}
