using WaveFlow.Core;

namespace WaveFlow.Onnx;

/// <summary>
/// How <see cref="WaveFlowOnnxVocoder"/> turns a mel into audio: the options of the libtorch
/// vocoder (<c>WaveFlow.Vocoder.VocoderOptions</c>) with the same names, defaults and checks,
/// less the precision, which an ONNX model carries (<c>waveflow export --fp16</c>).
/// </summary>
public sealed record OnnxVocoderOptions
{
    /// <summary>The default chunk length in mel frames, as the libtorch vocoder's.</summary>
    public const int DefaultChunkFrames = 1024;

    /// <summary>The defaults: σ = 0.6, no denoiser, chunks of 1024 frames, fresh noise on every call.</summary>
    public static OnnxVocoderOptions Default { get; } = new();

    /// <summary>Standard deviation of the noise the flow inverts (NVIDIA's <c>sigma</c>). Must be finite and ≥ 0.</summary>
    public float Sigma { get; init; } = 0.6f;

    /// <summary>
    /// Strength of NVIDIA's denoiser. This package has none (the exported graph is the flow alone):
    /// only 0 is accepted, and any other value is refused with a <see cref="WaveFlowException"/>.
    /// </summary>
    public float Denoise { get; init; }

    /// <summary>
    /// Mels longer than this many frames are synthesised in chunks with exact context on each side
    /// (the audio equals whole-utterance synthesis to float rounding), so memory stays bounded;
    /// also the piece size of <see cref="WaveFlowOnnxVocoder.SynthesizeStreaming"/>. 0 = never chunk.
    /// </summary>
    public int ChunkFrames { get; init; } = DefaultChunkFrames;

    /// <summary>
    /// Seed of the noise: the same seed, mel and options give the same audio on every call. The
    /// generator is this package's own (a seeded Gaussian from .NET's <see cref="Random"/>), so the
    /// noise differs from libtorch's for the same seed; for identical audio on both runtimes pass
    /// the noise itself (the CLI's <c>--noise</c>). Null draws fresh noise.
    /// </summary>
    public long? Seed { get; init; }

    /// <summary>Throws a <see cref="WaveFlowException"/> naming the first option out of range.</summary>
    internal void Validate()
    {
        if (!float.IsFinite(Sigma) || Sigma < 0) throw new WaveFlowException($"Sigma {Sigma}: must be finite and ≥ 0");
        if (!float.IsFinite(Denoise) || Denoise < 0) throw new WaveFlowException($"Denoise {Denoise}: must be finite and ≥ 0");
        if (Denoise > 0) throw new WaveFlowException($"Denoise {Denoise}: the ONNX runtime has no denoiser (the exported graph is the flow alone); use 0, or the libtorch vocoder");
        if (ChunkFrames < 0) throw new WaveFlowException($"ChunkFrames {ChunkFrames}: must be ≥ 0 (0 = never chunk)");
    }
}
