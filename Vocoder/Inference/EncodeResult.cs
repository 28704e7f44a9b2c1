using TorchSharp;
using WaveFlow.Core;
using static TorchSharp.torch;

namespace WaveFlow.Vocoder;

/// <summary>What <see cref="AudioEncoder.Encode"/> finds: z and the audio's likelihood under the model.</summary>
/// <param name="Z">z [n_group, T/n_group], forward()'s layout (early outputs first)</param>
/// <param name="Loss">NVIDIA's WaveGlow loss at sigma 1 (per sample, without the Gaussian constant)</param>
/// <param name="NatsPerSample">the exact negative log-likelihood, nats per sample</param>
/// <param name="BitsPerSample">the same in bits</param>
/// <param name="Samples">samples encoded (the audio cut to a multiple of n_group)</param>
internal sealed record EncodeResult(FloatArray Z, double Loss, double NatsPerSample, double BitsPerSample, long Samples);
