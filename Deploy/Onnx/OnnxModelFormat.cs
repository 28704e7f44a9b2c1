namespace WaveFlow.Onnx;

/// <summary>
/// What makes an ONNX file a WaveFlow model: the graph's input and output names, the ONNX
/// versions the exporter writes, and the metadata keys that describe the model (written by
/// <c>waveflow export</c>, read by <see cref="OnnxModelDescription"/>). The metadata mirrors
/// WaveFlow's own checkpoints: each configuration section is the JSON of the same section of
/// NVIDIA's config.json.
/// </summary>
internal static class OnnxModelFormat
{
    /// <summary>Value of <see cref="FormatKey"/>.</summary>
    public const string Format = "waveflow-onnx";

    /// <summary>The newest format version this build writes and reads.</summary>
    public const int Version = 1;

    /// <summary>ONNX IR version 8 with the default operator set 17: the newest pair Debian's
    /// python3-onnx 1.12 checks and PyTorch 1.13's exporter writes, read by every ONNX Runtime
    /// since 1.14.</summary>
    public const long IrVersion = 8;

    /// <inheritdoc cref="IrVersion"/>
    public const long Opset = 17;

    /// <summary>Log mel spectrogram, float32 (batch, n_mel, frames).</summary>
    public const string MelInput = "mel";

    /// <summary>The noise σ·ε in z's layout, float32 (batch, n_group, frames·hop/n_group).</summary>
    public const string NoiseInput = "z";

    /// <summary>The audio, float32 (batch, frames·hop).</summary>
    public const string AudioOutput = "audio";

    public const string FormatKey = "format";
    public const string VersionKey = "version";
    /// <summary>waveglow_config as JSON (NVIDIA's keys, plus the flow-variant keys).</summary>
    public const string ModelConfigKey = "waveglow_config";
    /// <summary>The mel settings as JSON (NVIDIA's data_config keys).</summary>
    public const string MelConfigKey = "mel_config";
    /// <summary>"fp32" or "fp16": the type of the weights and of the arithmetic inside the graph.</summary>
    public const string PrecisionKey = "precision";
    /// <summary>Mel frames of context each side that make a chunk equal whole-utterance synthesis.</summary>
    public const string ContextFramesKey = "context_frames";
    /// <summary>Training step of the checkpoint exported.</summary>
    public const string StepKey = "step";
    /// <summary>The kind of checkpoint exported (waveflow, nvidia-checkpoint, ...).</summary>
    public const string SourceKey = "source";

    /// <summary>The precisions a model may be exported in.</summary>
    public static readonly string[] Precisions = ["fp32", "fp16"];
}
