using TorchSharp;
using WaveFlow.Audio;
using WaveFlow.Core;
using WaveFlow.Core.Json;
using WaveFlow.Core.Serialization;
using static TorchSharp.torch;

namespace WaveFlow.Vocoder.Checkpoints;

/// <summary>
/// Loads any WaveGlow checkpoint this project knows, told apart by content, not by name:
/// our self-describing safetensors; plain safetensors of NVIDIA's state dict; NVIDIA's published
/// whole-model checkpoints (zip and legacy format) and state-dict .pt files, read by
/// <c>NvidiaCheckpoint</c> without executing anything. Files without a description need
/// <c>configPath</c> (NVIDIA's config.json) or have their configuration inferred from the
/// tensor shapes. A checkpoint of another shape fails with one line naming the first
/// mismatching key.
/// </summary>
internal static class CheckpointLoader
{
    public static LoadedModel Load(string path, Device device, string? configPath = null)
    {
        if (!File.Exists(path)) throw WaveFlowException.ForFile(path, "file not found");
        byte[] head = new byte[9];
        using (var f = File.OpenRead(path)) f.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);

        IReadOnlyDictionary<string, FloatArray> state;
        WaveGlowOptions? options = null;
        MelOptions? mel = null;
        long step = 0;
        string kind;
        bool nvidiaAlternating = false;
        if (head[8] == (byte)'{')
        {
            var contents = Safetensors.Read(path);
            state = contents.Tensors;
            if (WaveFlowCheckpoint.IsOurs(contents))
            {
                (options, mel, step) = WaveFlowCheckpoint.ReadDescription(contents, path);
                kind = WaveFlowCheckpoint.Format;
            }
            else kind = "safetensors";
        }
        else
        {
            var nvidia = NvidiaCheckpoint.Load(path);
            state = nvidia.StateDict;
            step = nvidia.Iteration ?? 0;
            kind = nvidia.Kind;
            nvidiaAlternating = nvidia.AlternatingHalves;
        }

        if (options is null)
        {
            if (configPath is not null) (options, mel) = ReadConfig(configPath);
            else (options, mel) = ConfigInference.Infer(state, path);
        }
        // NVIDIA's first model class (glow_old.py) swaps the coupling halves on odd flows; the
        // pickle says which class made the file, so the layout follows the file, not the config.
        if (nvidiaAlternating) options = options with { AlternatingHalves = true };
        mel ??= new MelOptions { NMelChannels = options.NMelChannels };
        if (mel.NMelChannels != options.NMelChannels)
            throw new WaveFlowException($"{configPath ?? path}: data_config n_mel_channels {mel.NMelChannels} differs from waveglow_config n_mel_channels {options.NMelChannels}");

        RefuseOversizedConfig(options, mel, state, configPath ?? path);
        var model = new WaveGlow(options, mel);
        try
        {
            StateDict.Load(model, state, path);
            model.to(device);
            model.eval();
        }
        catch
        {
            model.Dispose();
            throw;
        }
        return new LoadedModel(model, options, mel, step, kind);
    }

    /// <summary>
    /// A configuration (from a file's metadata, a config file or inference) that describes more
    /// parameters than the file holds values cannot load: refused before the model is built, so a
    /// damaged n_channels or filter_length cannot make us allocate gigabytes for a model that
    /// would then fail the shape check anyway. The count is a lower bound (the mel upsampler's
    /// weight plus every WN layer's dilated convolution and conditioning weights), in double
    /// precision so that no product overflows.
    /// </summary>
    private static void RefuseOversizedConfig(WaveGlowOptions options, MelOptions mel, IReadOnlyDictionary<string, FloatArray> state, string source)
    {
        double channels = options.WN.NChannels, layers = options.WN.NLayers;
        double perFlow = layers * 2 * channels * channels * options.WN.KernelSize                  // in_layers
                       + 2 * channels * layers * options.NMelChannels * options.NGroup;           // cond_layer
        double atLeast = (double)options.NMelChannels * options.NMelChannels * mel.FilterLength + options.NFlows * perFlow;
        double held = state.Values.Sum(t => (double)t.Data.LongLength);
        if (atLeast > held)
            throw WaveFlowException.ForFile(source, $"the model configuration ({options.NFlows} flows × {options.WN.NLayers} layers × {options.WN.NChannels} channels, " +
                $"{options.NMelChannels} mels, filter_length {mel.FilterLength}) has at least {atLeast:0} parameters, the checkpoint holds {held:0} values");
    }

    /// <summary>
    /// NVIDIA's config.json (see <see cref="ModelConfigFile"/>) or a waveglow_config object stored
    /// alone (then NVIDIA's STFT defaults with its n_mel_channels). Read strictly, validated.
    /// </summary>
    public static (WaveGlowOptions Options, MelOptions Mel) ReadConfig(string configPath)
    {
        if (!File.Exists(configPath)) throw WaveFlowException.ForFile(configPath, "file not found");
        var bytes = File.ReadAllBytes(configPath);
        if (StrictJson.HasAnyKey(bytes, ConfigSections.All)) return ModelConfigFile.Parse(bytes, configPath);
        var options = WaveGlowOptions.Parse(bytes, configPath);
        return (options, new MelOptions { NMelChannels = options.NMelChannels });
    }
}
