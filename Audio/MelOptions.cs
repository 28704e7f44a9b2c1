using System.Text.Json.Serialization;
using WaveFlow.Core;
using WaveFlow.Core.Json;

namespace WaveFlow.Audio;

/// <summary>
/// The mel front end's settings, spelled as NVIDIA's <c>data_config</c> JSON (tacotron2/waveglow
/// config.json) so that their configs load unchanged. Defaults are LJSpeech's (22050 Hz, 80 mels).
/// </summary>
public sealed record MelOptions : IJsonOnDeserialized
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
    /// <summary>Highest mel band edge in Hz. In JSON, <c>null</c> means the Nyquist frequency
    /// (sampling_rate / 2), as Tacotron2's <c>mel_fmax=None</c> does through librosa's
    /// <c>fmax=None</c>; every reader resolves it to that number when the section is read.</summary>
    [JsonIgnore] public double MelFmax { get => _melFmax; init => _melFmax = value; }
    /// <summary>Full scale of the training audio (32768 for 16-bit PCM).</summary>
    [JsonPropertyName("max_wav_value")] public double MaxWavValue { get; init; } = 32768.0;

    private double _melFmax = 8000.0;

    /// <summary>mel_fmax as JSON holds it: a number, or null for the Nyquist frequency. Null is kept
    /// as NaN (which strict JSON numbers cannot spell) until every key is read, because
    /// sampling_rate may come after mel_fmax in the file; resolved once all are read (below).</summary>
    [JsonInclude, JsonPropertyName("mel_fmax")]
    private double? MelFmaxJson { get => _melFmax; init => _melFmax = value ?? double.NaN; }

    void IJsonOnDeserialized.OnDeserialized()
    {
        if (double.IsNaN(_melFmax)) _melFmax = SamplingRate / 2.0;
    }

    /// <summary>Number of linear-frequency bins of one STFT frame: filter_length/2 + 1.</summary>
    [JsonIgnore] public int NFreq => FilterLength / 2 + 1;

    /// <summary>
    /// Reads the mel settings of a JSON config: NVIDIA's config.json (the mel keys of its
    /// <c>data_config</c>; n_mel_channels, when data_config leaves it out, from
    /// <c>waveglow_config</c>, as train and synthesize do) or a data_config stored alone (the mel
    /// keys, with or without segment_length and training_files).
    /// Read strictly (unknown or repeated keys and wrong types are errors naming the file and
    /// key); missing keys keep their defaults; validated.
    /// </summary>
    public static MelOptions Load(string path)
    {
        if (!File.Exists(path)) throw WaveFlowException.ForFile(path, "file not found");
        var bytes = File.ReadAllBytes(path);
        if (StrictJson.HasAnyKey(bytes, ConfigSections.All))
            return StrictJson.Parse<MelConfigFile>(bytes, path).Mel(path);
        // A data_config stored alone: the mel keys, and segment_length/training_files if copied along.
        return StrictJson.Parse<DataOptions>(bytes, path).Mel(path, null);
    }

    /// <summary>Throws a <see cref="WaveFlowException"/> naming <paramref name="source"/> and the bad
    /// key, as <paramref name="section"/>.key when the keys came from a section (e.g. "data_config").</summary>
    public void Validate(string source, string? section = null)
    {
        string prefix = string.IsNullOrEmpty(section) ? "" : section + ".";
        void Fail(string key, string problem) => throw new WaveFlowException($"{source}: {prefix}{key} {problem}");
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
