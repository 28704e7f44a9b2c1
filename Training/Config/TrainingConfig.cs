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
/// Missing keys take NVIDIA's values; unknown keys and wrongly typed values are errors naming
/// the file and the key. <see cref="ToJson"/> writes the resolved config (every key).
/// </summary>
internal sealed record TrainingConfig(TrainOptions Train, DataOptions Data, MelOptions Mel, WaveGlowOptions Model)
{
    /// <summary>The dist_config section (defaults when absent).</summary>
    public DistOptions Dist { get; init; } = new();

    private static readonly string[] Sections = ["train_config", "data_config", "dist_config", "waveglow_config"];

    /// <summary>Where the config was read from (for messages and relative paths); not written.</summary>
    public string Source { get; init; } = "";

    public static TrainingConfig Load(string path)
    {
        if (!File.Exists(path)) throw WaveFlowException.ForFile(path, "config file not found");
        return Parse(File.ReadAllText(path), path);
    }

    public static TrainingConfig Parse(string json, string source)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip });
        }
        catch (JsonException e)
        {
            throw new WaveFlowException($"{source}: malformed JSON ({e.Message.Split('\n')[0]})", 2, e);
        }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw new WaveFlowException($"{source}: expected a JSON object with train_config, data_config, waveglow_config");
            foreach (var p in root.EnumerateObject())
                if (!Sections.Contains(p.Name))
                    throw new WaveFlowException($"{source}: unknown section {p.Name} (known: {string.Join(", ", Sections)})");

            var empty = JsonDocument.Parse("{}").RootElement;
            JsonElement Section(string name) => root.TryGetProperty(name, out var e) ? e : empty;

            var train = StrictJson.Read<TrainOptions>(Section("train_config"), "train_config", source);
            var dataSection = Section("data_config");
            var melKeys = StrictJson.JsonProperties(typeof(MelOptions)).Keys.ToHashSet();
            var data = StrictJson.Read<DataOptions>(dataSection, "data_config", source, melKeys);
            // The mel keys through the Audio project's one reader (mel_fmax null = Nyquist, as Tacotron2).
            var mel = MelOptions.FromJson(dataSection, source, "data_config.");
            if (root.TryGetProperty("dist_config", out var distSection) && distSection.ValueKind != JsonValueKind.Object)
                throw new WaveFlowException($"{source}: dist_config must be a JSON object");
            var dist = StrictJson.Read<DistOptions>(Section("dist_config"), "dist_config", source);

            var waveglowSection = Section("waveglow_config");
            if (waveglowSection.ValueKind != JsonValueKind.Object)
                throw new WaveFlowException($"{source}: waveglow_config must be a JSON object");
            var model = WaveGlowOptions.FromJson(WaveGlowOptions.ParseObject(waveglowSection.GetRawText(), $"{source}: waveglow_config"), $"{source}: waveglow_config");

            // NVIDIA keeps n_mel_channels in waveglow_config only; Tacotron2 also in data_config.
            if (dataSection.ValueKind == JsonValueKind.Object && dataSection.TryGetProperty("n_mel_channels", out _))
            {
                if (mel.NMelChannels != model.NMelChannels)
                    throw new WaveFlowException($"{source}: data_config.n_mel_channels ({mel.NMelChannels}) differs from waveglow_config.n_mel_channels ({model.NMelChannels})");
            }
            else
            {
                mel = mel with { NMelChannels = model.NMelChannels };
            }
            var config = new TrainingConfig(train, data, mel, model) { Source = source, Dist = dist };
            config.Validate();
            return config;
        }
    }

    public void Validate()
    {
        Train.Validate(Source);
        Mel.Validate($"{Source}: data_config");
        Model.Validate($"{Source}: waveglow_config");
        Data.Validate(Source, Mel.HopLength, Model.NGroup);
        Dist.Validate(Source);
    }

    /// <summary>The resolved config in NVIDIA's layout, every key present.</summary>
    public JsonObject ToJsonObject()
    {
        var train = JsonSerializer.SerializeToNode(Train, StrictJson.Options)!.AsObject();
        var data = JsonSerializer.SerializeToNode(Data, StrictJson.Options)!.AsObject();
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
