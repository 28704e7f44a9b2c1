using System.Text.Json.Serialization;

namespace WaveFlow.Audio;

/// <summary>
/// The STFT and mel settings, with the keys of NVIDIA's data_config JSON.
/// (Minimal stand-in written by the model branch; helper "audio" owns the full version.)
/// </summary>
public sealed record MelOptions
{
    [JsonPropertyName("sampling_rate")] public int SamplingRate { get; init; } = 22050;
    [JsonPropertyName("filter_length")] public int FilterLength { get; init; } = 1024;
    [JsonPropertyName("hop_length")] public int HopLength { get; init; } = 256;
    [JsonPropertyName("win_length")] public int WinLength { get; init; } = 1024;
    [JsonPropertyName("n_mel_channels")] public int NMelChannels { get; init; } = 80;
    [JsonPropertyName("mel_fmin")] public double MelFmin { get; init; } = 0.0;
    [JsonPropertyName("mel_fmax")] public double MelFmax { get; init; } = 8000.0;
    [JsonPropertyName("max_wav_value")] public double MaxWavValue { get; init; } = 32768.0;

    /// <summary>Throws a <see cref="WaveFlowException"/> naming the first bad key.</summary>
    public void Validate(string source)
    {
        static void Check(string source, bool ok, string key, string problem)
        {
            if (!ok) throw new WaveFlowException($"{source}: {key} {problem}");
        }
        Check(source, SamplingRate > 0, "sampling_rate", "must be positive");
        Check(source, FilterLength > 0, "filter_length", "must be positive");
        Check(source, HopLength > 0 && HopLength <= FilterLength, "hop_length", "must be in 1..filter_length");
        Check(source, WinLength > 0 && WinLength <= FilterLength, "win_length", "must be in 1..filter_length");
        Check(source, NMelChannels > 0, "n_mel_channels", "must be positive");
        Check(source, MelFmin >= 0 && MelFmax > MelFmin, "mel_fmax", "must be above mel_fmin");
        Check(source, MaxWavValue > 0, "max_wav_value", "must be positive");
    }
}
