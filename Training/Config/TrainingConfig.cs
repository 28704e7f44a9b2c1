using System.Text.Json;
using System.Text.Json.Nodes;
using WaveFlow.Audio;
using WaveFlow.Core;
using WaveFlow.Core.Json;
using WaveFlow.Vocoder;

namespace WaveFlow.Training.Config;

/// <summary>
/// A whole training config in NVIDIA's layout (their config.json loads unchanged):
/// <code>
/// { "train_config":    { TrainOptions keys },
///   "data_config":     { segment_length, training_files, + MelOptions keys },
///   "dist_config":     { DistOptions keys: engine and watchdog for multi-process runs },
///   "waveglow_config": { WaveGlowOptions keys, WN_config { ... } } }
/// </code>
/// Read by <see cref="StrictJson"/> as a <see cref="TrainingConfigFile"/>: missing keys take
/// NVIDIA's values; unknown or repeated keys and wrongly typed values are errors naming the file
/// and the key. <see cref="ToJson"/> writes the resolved config (every key).
/// </summary>
internal sealed record TrainingConfig(TrainOptions Train, DataOptions Data, MelOptions Mel, WaveGlowOptions Model)
{
    /// <summary>The dist_config section (defaults when absent).</summary>
    public DistOptions Dist { get; init; } = new();

    /// <summary>Where the config was read from (for messages and relative paths); not written.</summary>
    public string Source { get; init; } = "";

    public static TrainingConfig Load(string path)
    {
        if (!File.Exists(path)) throw WaveFlowException.ForFile(path, "config file not found");
        return Parse(File.ReadAllBytes(path), path);
    }

    public static TrainingConfig Parse(string json, string source) => Parse(System.Text.Encoding.UTF8.GetBytes(json), source);

    /// <summary>Reads a config's bytes (UTF-8, as the file holds them); errors name <paramref name="source"/>.</summary>
    public static TrainingConfig Parse(byte[] utf8, string source)
    {
        var file = StrictJson.Parse<TrainingConfigFile>(utf8, source);
        // Model first: data_config's n_mel_channels defaults to (and must agree with) the model's.
        file.Model.Validate(source, ConfigSections.Model);
        var mel = file.Data.Mel(source, file.Model.NMelChannels);
        var config = new TrainingConfig(file.Train, file.Data, mel, file.Model) { Source = source, Dist = file.Dist };
        config.Validate();
        return config;
    }

    public void Validate()
    {
        Train.Validate(Source);
        Mel.Validate(Source, ConfigSections.Data);
        Model.Validate(Source, ConfigSections.Model);
        Data.Validate(Source, Mel.HopLength, Model.NGroup);
        Dist.Validate(Source);
    }

    /// <summary>The resolved config in NVIDIA's layout, every key present.</summary>
    public JsonObject ToJsonObject()
    {
        var train = JsonSerializer.SerializeToNode(Train, StrictJson.Options)!.AsObject();
        // The mel keys as the file gave them (MelKeys) are left out: Mel holds them resolved.
        var data = JsonSerializer.SerializeToNode(Data with { MelKeys = [] }, StrictJson.Options)!.AsObject();
        foreach (var (key, value) in JsonSerializer.SerializeToNode(Mel, StrictJson.Options)!.AsObject())
            data[key] = value?.DeepClone();
        return new JsonObject
        {
            ["train_config"] = train,
            ["data_config"] = data,
            ["dist_config"] = JsonSerializer.SerializeToNode(Dist, StrictJson.Options)!.AsObject(),
            ["waveglow_config"] = Model.ToJsonObject(),
        };
    }

    public string ToJson() => ToJsonObject().ToJsonString(StrictJson.Options) + "\n";

    /// <summary>
    /// For --resume with a --config: training settings may change (more iterations, another
    /// learning rate), the model and the data front end may not (the weights would not fit).
    /// </summary>
    public TrainingConfig ForResume(TrainingConfig requested, string runConfigPath)
    {
        var mine = ToJsonObject();
        var theirs = requested.ToJsonObject();
        foreach (var section in new[] { "waveglow_config", "data_config" })
        {
            var a = mine[section]!.AsObject();
            var b = theirs[section]!.AsObject();
            foreach (var (key, value) in a)
                if (!JsonNode.DeepEquals(value, b[key]))
                    throw new WaveFlowException($"{requested.Source}: {section}.{key} is {b[key]?.ToJsonString()}, but the run being resumed ({runConfigPath}) has {value?.ToJsonString()}; the model and data settings of a run cannot change");
        }
        return this with { Train = requested.Train, Dist = requested.Dist };
    }

    /// <summary>
    /// The train_config keys <paramref name="requested"/> changes, as "key: old → new", for the
    /// resume log. batch_size and seed also change which clips and crops every later iteration
    /// draws, so the run no longer matches an uninterrupted one; that is said too.
    /// </summary>
    public IReadOnlyList<string> TrainChanges(TrainingConfig requested)
    {
        var mine = JsonSerializer.SerializeToNode(Train, StrictJson.Options)!.AsObject();
        var theirs = JsonSerializer.SerializeToNode(requested.Train, StrictJson.Options)!.AsObject();
        var changes = new List<string>();
        foreach (var (key, value) in mine)
            if (!JsonNode.DeepEquals(value, theirs[key]))
            {
                string note = key is "batch_size" or "seed" ? " (the data order from here differs from the original run's)" : "";
                changes.Add($"{key}: {value?.ToJsonString()} → {theirs[key]?.ToJsonString()}{note}");
            }
        return changes;
    }
}
