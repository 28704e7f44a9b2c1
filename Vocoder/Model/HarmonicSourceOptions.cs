using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using WaveFlow.Core;

namespace WaveFlow.Vocoder;

/// <summary>
/// waveglow_config.harmonic_source: a harmonic source added in front of the flow (see
/// <see cref="HarmonicSource"/>). The flow then models audio − source, so the source is the
/// coupling's linear route to the output: whatever periodic part the source explains, the flow
/// need not learn. Absent (the default), the model is NVIDIA's WaveGlow unchanged.
/// </summary>
internal sealed record HarmonicSourceOptions
{
    /// <summary>Harmonics of F0 summed (those above <see cref="MaxHarmonicHz"/> are silent).</summary>
    [JsonPropertyName("harmonics")] public int Harmonics { get; init; } = 32;
    /// <summary>The F0 range the predictor covers and the training pitch tracker searches.</summary>
    [JsonPropertyName("f0_min")] public double F0Min { get; init; } = 60;
    [JsonPropertyName("f0_max")] public double F0Max { get; init; } = 500;
    /// <summary>Harmonics above this frequency are left to the flow (0: mel_fmax).</summary>
    [JsonPropertyName("max_harmonic_hz")] public double MaxHarmonicHz { get; init; }
    /// <summary>Width and depth of the mel → (F0, voicing) predictor (convolutions over frames).</summary>
    [JsonPropertyName("predictor_channels")] public int PredictorChannels { get; init; } = 128;
    [JsonPropertyName("predictor_layers")] public int PredictorLayers { get; init; } = 3;
    [JsonPropertyName("predictor_kernel_size")] public int PredictorKernelSize { get; init; } = 5;
    /// <summary>Hidden channels of the mel → harmonic amplitude correction.</summary>
    [JsonPropertyName("amplitude_channels")] public int AmplitudeChannels { get; init; } = 128;
    /// <summary>Training only: weight of the predictor's loss (L1 of normalised log-F0 on voiced
    /// frames + voicing cross-entropy) added to the NLL; it trains only the predictor.</summary>
    [JsonPropertyName("f0_loss_weight")] public double F0LossWeight { get; init; } = 1.0;
    /// <summary>Training only: weight of the L1 between predicted and analysed log harmonic
    /// amplitudes (voiced frames) added to the NLL; 0 leaves the amplitudes to the NLL alone.</summary>
    [JsonPropertyName("amplitude_loss_weight")] public double AmplitudeLossWeight { get; init; } = 1.0;

    /// <summary>The highest harmonic frequency for a model whose mels reach <paramref name="melFmax"/>.</summary>
    public double HarmonicCeiling(double melFmax) => MaxHarmonicHz > 0 ? MaxHarmonicHz : melFmax;

    public void Validate(Action<bool, string, string> check)
    {
        check(Harmonics >= 1 && Harmonics <= 512, "harmonic_source.harmonics", $"must be between 1 and 512, got {Harmonics}");
        check(F0Min > 0 && F0Max > F0Min, "harmonic_source.f0_min", $"and f0_max must satisfy 0 < f0_min < f0_max, got {F0Min} and {F0Max}");
        check(MaxHarmonicHz >= 0, "harmonic_source.max_harmonic_hz", $"must not be negative, got {MaxHarmonicHz}");
        check(PredictorChannels > 0, "harmonic_source.predictor_channels", $"must be positive, got {PredictorChannels}");
        check(PredictorLayers > 0, "harmonic_source.predictor_layers", $"must be positive, got {PredictorLayers}");
        check(PredictorKernelSize > 0 && PredictorKernelSize % 2 == 1, "harmonic_source.predictor_kernel_size", $"must be odd and positive, got {PredictorKernelSize}");
        check(AmplitudeChannels > 0, "harmonic_source.amplitude_channels", $"must be positive, got {AmplitudeChannels}");
        check(F0LossWeight >= 0 && double.IsFinite(F0LossWeight), "harmonic_source.f0_loss_weight", $"must be finite and not negative, got {F0LossWeight}");
        check(AmplitudeLossWeight >= 0 && double.IsFinite(AmplitudeLossWeight), "harmonic_source.amplitude_loss_weight", $"must be finite and not negative, got {AmplitudeLossWeight}");
    }

    public JsonObject ToJsonObject() => new()
    {
        ["harmonics"] = Harmonics,
        ["f0_min"] = F0Min,
        ["f0_max"] = F0Max,
        ["max_harmonic_hz"] = MaxHarmonicHz,
        ["predictor_channels"] = PredictorChannels,
        ["predictor_layers"] = PredictorLayers,
        ["predictor_kernel_size"] = PredictorKernelSize,
        ["amplitude_channels"] = AmplitudeChannels,
        ["f0_loss_weight"] = F0LossWeight,
        ["amplitude_loss_weight"] = AmplitudeLossWeight,
    };
}
