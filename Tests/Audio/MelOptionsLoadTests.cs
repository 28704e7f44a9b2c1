using TorchSharp;
using WaveFlow.Audio;
using WaveFlow.Audio.Dsp;
using WaveFlow.Audio.Wav;
using WaveFlow.Core;
using WaveFlow.Core.Serialization;
using WaveFlow.Tests.Support;
using Xunit.Abstractions;

namespace WaveFlow.Tests.Audio;

public class MelOptionsLoadTests
{
    [Fact]
    public void LoadsDataConfigOfNvidiaConfigAndFlatFiles()
    {
        using var tmp = new TempDir();
        var dir = tmp.Path;
        var nvidia = Path.Combine(dir, "config.json");
        File.WriteAllText(nvidia, """
            { "train_config": { "batch_size": 12 },
              "data_config": { "training_files": "train_files.txt", "segment_length": 16000, "sampling_rate": 16000,
                               "filter_length": 1024, "hop_length": 256, "win_length": 1024, "mel_fmin": 0.0, "mel_fmax": 8000.0 } }
            """);
        var options = MelOptions.Load(nvidia);
        Assert.Equal(16000, options.SamplingRate);
        Assert.Equal(80, options.NMelChannels);

        var flat = Path.Combine(dir, "mel.json");
        File.WriteAllText(flat, """{ "n_mel_channels": 64, "hop_length": 200, "win_length": 800, "filter_length": 800 }""");
        Assert.Equal(64, MelOptions.Load(flat).NMelChannels);

        File.WriteAllText(flat, """{ "sampling_rate": 16000, "mel_fmax": null }""");
        Assert.Equal(8000.0, MelOptions.Load(flat).MelFmax);

        File.WriteAllText(flat, """{ "data_config": { "hop_length": "256" } }""");
        var e = Assert.Throws<WaveFlowException>(() => MelOptions.Load(flat));
        Assert.Equal($"{flat}: data_config.hop_length must be an integer, got \"256\"", e.Message);

        File.WriteAllText(flat, """{ "data_config": { "mel_fmax": 12000.0 } }""");
        e = Assert.Throws<WaveFlowException>(() => MelOptions.Load(flat));
        Assert.StartsWith($"{flat}: data_config.mel_fmax (12000) must not exceed the Nyquist frequency", e.Message);

        File.WriteAllText(flat, "{ not json");
        Assert.StartsWith($"{flat}: malformed JSON (line 1: ", Assert.Throws<WaveFlowException>(() => MelOptions.Load(flat)).Message);
    }
}
