using WaveFlow.Core;

namespace WaveFlow.Vocoder;

/// <summary>
/// How <see cref="WaveFlowVocoder"/> turns a mel into audio. The defaults are those of
/// <c>waveflow synthesize</c>: σ = 0.6, no denoiser, float32, chunks of 1024 frames, fresh noise
/// on every call.
/// </summary>
public sealed record VocoderOptions
{
    /// <summary>The CLI's default chunk length in mel frames (about 11.9 s of audio at 22,050 Hz with hop 256).</summary>
    public const int DefaultChunkFrames = 1024;

    /// <summary>The defaults (see the class summary).</summary>
    public static VocoderOptions Default { get; } = new();

    /// <summary>
    /// Standard deviation of the noise the flow inverts (NVIDIA's <c>sigma</c>): 0.6 is NVIDIA's
    /// choice for synthesis; 0 gives the mean, a flat and buzzy voice. Must be finite and ≥ 0.
    /// </summary>
    public float Sigma { get; init; } = 0.6f;

    /// <summary>
    /// Strength of NVIDIA's denoiser, which subtracts the model's own noise floor (its output for
    /// a silent mel) from the spectrum: 0 = off, 0.1 is NVIDIA's suggestion. Must be finite and ≥ 0.
    /// The denoiser's STFT spans the whole utterance, so with it
    /// <see cref="WaveFlowVocoder.SynthesizeStreaming"/> yields the audio as one piece at the end.
    /// </summary>
    public float Denoise { get; init; }

    /// <summary>
    /// The floating-point format inference runs in. <see cref="Precision.Bf16"/> is the fast path
    /// of CPUs with AVX-512 BF16 or AMX, <see cref="Precision.Fp16"/> that of GPUs (on a CPU it is
    /// much slower than float32). Both run a folded copy of the model, made on first use and kept.
    /// </summary>
    public Precision Precision { get; init; } = Precision.Fp32;

    /// <summary>
    /// Mels longer than this many frames are synthesised in chunks with enough context on each
    /// side that the audio equals whole-utterance synthesis to float rounding, so memory stays
    /// bounded by the chunk length whatever the utterance's length (docs/performance.md has the
    /// measured memory). It is also the piece size of
    /// <see cref="WaveFlowVocoder.SynthesizeStreaming"/>: smaller chunks give the first audio
    /// sooner, at some cost in total time (each chunk recomputes its context). 0 = never chunk.
    /// </summary>
    public int ChunkFrames { get; init; } = DefaultChunkFrames;

    /// <summary>
    /// Seed of the noise: the same seed, mel and options give the same audio on every call and
    /// every run on the same device. Null draws fresh noise from libtorch's global generator.
    /// </summary>
    public long? Seed { get; init; }

    /// <summary>Throws a <see cref="WaveFlowException"/> naming the first option out of range.</summary>
    internal void Validate()
    {
        if (!float.IsFinite(Sigma) || Sigma < 0) throw new WaveFlowException($"Sigma {Sigma}: must be finite and ≥ 0");
        if (!float.IsFinite(Denoise) || Denoise < 0) throw new WaveFlowException($"Denoise {Denoise}: must be finite and ≥ 0");
        if (ChunkFrames < 0) throw new WaveFlowException($"ChunkFrames {ChunkFrames}: must be ≥ 0 (0 = never chunk)");
        if (!Enum.IsDefined(Precision)) throw new WaveFlowException($"Precision {(int)Precision}: not one of Fp32, Fp16, Bf16");
    }

    /// <summary>The synthesizer's options, with exactly given noise (z's layout) where there is some.</summary>
    internal SynthesisOptions ToSynthesis(FloatArray? noise = null) =>
        new(Sigma, Seed, noise, Precision, Denoise, ChunkFrames);
}
