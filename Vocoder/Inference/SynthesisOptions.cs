using WaveFlow.Core;
using WaveFlow.Vocoder.Synthesis;

namespace WaveFlow.Vocoder;

/// <summary>
/// How to turn a mel into audio. <paramref name="Noise"/>, when given, is standard-normal noise in
/// z's layout [n_group, T/n_group] (what <c>encode</c> writes and forward() returns): synthesis is
/// then exactly reproducible; otherwise noise is drawn from <paramref name="Seed"/> (or at random).
/// <paramref name="Denoise"/> is NVIDIA's denoiser strength (0 = off). Mels longer than
/// <paramref name="ChunkFrames"/> frames (0 = never) are synthesised in chunks with enough context
/// that the result equals whole-utterance synthesis (see <see cref="ChunkedInference"/>),
/// so memory stays flat in length. <paramref name="Precision"/> other than float32 runs a folded
/// copy of the model in that format. <paramref name="F0"/> (Hz per mel frame, 0 = unvoiced)
/// replaces the pitch a model with a harmonic source predicts from the mel.
/// </summary>
internal sealed record SynthesisOptions(float Sigma = 0.6f, long? Seed = null, FloatArray? Noise = null, Precision Precision = Precision.Fp32, float Denoise = 0f, int ChunkFrames = 0, float[]? F0 = null);
