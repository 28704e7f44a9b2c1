using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using WaveFlow.Core;

namespace WaveFlow.Audio;

/// <summary>
/// The mel front end's settings, spelled as NVIDIA's <c>data_config</c> JSON (tacotron2/waveglow
/// config.json) so that their configs load unchanged. Defaults are LJSpeech's (22050 Hz, 80 mels).
/// </summary>
public sealed record MelOptions
{
    /// <summary>Samples per second of the audio (NVIDIA: 22050).</summary>
    [JsonPropertyName("sampling_rate")] public int SamplingRate { get; init; } = 22050;
    /// <summary>FFT size of the STFT in samples (NVIDIA: 1024).</summary>
    [JsonPropertyName("filter_length")] public int FilterLength { get; init; } = 1024;
    /// <summary>Samples between STFT frames: one mel frame per hop (NVIDIA: 256).</summary>
    [JsonPropertyName("hop_length")] public int HopLength { get; init; } = 256;
    /// <summary>Length of the Hann window, centred in filter_length (NVIDIA: 1024).</summary>
    [JsonPropertyName("win_length")] public int WinLength { get; init; } = 1024;
    /// <summary>Mel bands (NVIDIA: 80).</summary>
    [JsonPropertyName("n_mel_channels")] public int NMelChannels { get; init; } = 80;
    /// <summary>Lowest frequency of the mel filterbank in Hz (NVIDIA: 0).</summary>
    [JsonPropertyName("mel_fmin")] public double MelFmin { get; init; } = 0.0;
    /// <summary>Highest frequency of the mel filterbank in Hz (NVIDIA: 8000; null in JSON: the Nyquist frequency).</summary>
    [JsonPropertyName("mel_fmax")] public double MelFmax { get; init; } = 8000.0;
    /// <summary>Full scale of the training audio (32768 for 16-bit PCM).</summary>
    [JsonPropertyName("max_wav_value")] public double MaxWavValue { get; init; } = 32768.0;

    /// <summary>Number of linear-frequency bins of one STFT frame: filter_length/2 + 1.</summary>
    [JsonIgnore] public int NFreq => FilterLength / 2 + 1;

    /// <summary>
    /// Reads the mel keys from a JSON config: NVIDIA's config.json (the keys inside its
    /// <c>data_config</c> section) or a file holding just those keys. Other keys of the section
    /// (training_files, segment_length, ...) belong to others and are ignored; missing keys keep
    /// their defaults; a value of the wrong type is an error naming the file and key. Validated.
    /// </summary>
    public static MelOptions Load(string path)
    {
        if (!File.Exists(path)) throw WaveFlowException.ForFile(path, "file not found");
        JsonDocument document;
        try { document = JsonDocument.Parse(File.ReadAllBytes(path), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip }); }
        catch (JsonException e) { throw WaveFlowException.ForFile(path, $"not valid JSON ({e.Message.Split('\n')[0]})", e); }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw WaveFlowException.ForFile(path, "must hold a JSON object");
            bool nested = root.TryGetProperty("data_config", out var section);
            var options = FromJson(nested ? section : root, path, nested ? "data_config." : "");
            options.Validate(path);
            return options;
        }
    }

    /// <summary>The mel keys of one JSON object (see <see cref="Load"/>); <paramref name="prefix"/> is put before key names in errors.</summary>
    public static MelOptions FromJson(JsonElement section, string source, string prefix = "")
    {
        if (section.ValueKind != JsonValueKind.Object)
            throw new WaveFlowException($"{source}: {prefix.TrimEnd('.')} must be a JSON object");
        var options = new MelOptions();
        bool nyquistFmax = false;
        foreach (var property in typeof(MelOptions).GetProperties())
        {
            var name = property.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name;
            if (name is null || !section.TryGetProperty(name, out var value)) continue;
            // Tacotron2's hparams allow mel_fmax None: the Nyquist frequency (set below).
            if (name == "mel_fmax" && value.ValueKind == JsonValueKind.Null) { nyquistFmax = true; continue; }
            object parsed;
            if (property.PropertyType == typeof(int) && value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out int i)) parsed = i;
            else if (property.PropertyType == typeof(double) && value.ValueKind == JsonValueKind.Number) parsed = value.GetDouble();
            else throw new WaveFlowException($"{source}: {prefix}{name} must be {(property.PropertyType == typeof(int) ? "an integer" : "a number")}, got {value.GetRawText()}");
            property.SetValue(options, parsed);  // init-only setters are settable through reflection on a fresh copy
        }
        return nyquistFmax ? options with { MelFmax = options.SamplingRate / 2.0 } : options;
    }

    /// <summary>Throws a <see cref="WaveFlowException"/> naming <paramref name="source"/> and the bad key.</summary>
    public void Validate(string source)
    {
        void Fail(string key, string problem) => throw new WaveFlowException($"{source}: {key} {problem}");
        if (SamplingRate <= 0) Fail("sampling_rate", $"must be positive, got {SamplingRate}");
        if (FilterLength < 2 || FilterLength % 2 != 0) Fail("filter_length", $"must be an even number ≥ 2, got {FilterLength}");
        if (HopLength <= 0) Fail("hop_length", $"must be positive, got {HopLength}");
        if (HopLength > FilterLength) Fail("hop_length", $"({HopLength}) must not exceed filter_length ({FilterLength})");
        if (WinLength <= 0 || WinLength > FilterLength) Fail("win_length", $"must be in 1..filter_length ({FilterLength}), got {WinLength}");
        if (NMelChannels <= 0) Fail("n_mel_channels", $"must be positive, got {NMelChannels}");
        if (!double.IsFinite(MelFmin) || MelFmin < 0) Fail("mel_fmin", $"must be ≥ 0, got {MelFmin}");
        if (!double.IsFinite(MelFmax) || MelFmax <= MelFmin) Fail("mel_fmax", $"must be greater than mel_fmin ({MelFmin}), got {MelFmax}");
        if (MelFmax > SamplingRate / 2.0) Fail("mel_fmax", $"({MelFmax}) must not exceed the Nyquist frequency {SamplingRate / 2.0}");
        if (!double.IsFinite(MaxWavValue) || MaxWavValue <= 0) Fail("max_wav_value", $"must be positive, got {MaxWavValue}");
    }
}
