using TorchSharp;
using WaveFlow.Audio.Dsp;
using static TorchSharp.torch;

namespace WaveFlow.Vocoder;

/// <summary>
/// NVIDIA's denoiser (denoiser.py, mode "zeros"): what the model says for silence is its own
/// noise floor. The bias spectrum is the STFT magnitude (first frame) of the audio synthesised
/// from an all-zero mel of 88 frames at sigma 0; denoising subtracts strength × bias from every
/// frame's magnitude, clamps at 0 and resynthesises with the original phase. The STFT is
/// NVIDIA's: filter_length and win_length of the mel settings, hop = filter_length / 4
/// (n_overlap 4), so it follows any n_mel and hop of the model.
/// </summary>
internal sealed class Denoiser : IDisposable
{
    private const int BiasFrames = 88;
    private readonly TorchStft stft;
    private readonly Tensor biasSpec;   // (1, filter/2+1, 1)

    public Denoiser(IFlowInverse flow, Device device)
    {
        var model = flow.Model;
        var mel = model.Mel;
        stft = new TorchStft(mel.FilterLength, mel.FilterLength / 4, mel.WinLength, device);
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var dtype = model.parameters().First().dtype;
        var zeroMel = zeros(1, model.Options.NMelChannels, BiasFrames, dtype: dtype, device: device);
        long steps = (long)BiasFrames * mel.HopLength / model.Options.NGroup;
        var z = zeros(1, model.Options.NGroup, steps, dtype: dtype, device: device);   // sigma 0: z = 0
        var biasAudio = flow.Inverse(z, zeroMel).to(ScalarType.Float32);              // (1, 88·hop)
        var (magnitude, _) = stft.Transform(biasAudio);                                 // (1, F/2+1, frames)
        biasSpec = magnitude.narrow(2, 0, 1).MoveToOuterDisposeScope();                 // (1, F/2+1, 1)
        biasSpec.DetachFromDisposeScope();
    }

    /// <summary>The bias spectrum (filter_length/2 + 1 magnitudes) as floats.</summary>
    public float[] BiasSpectrum()
    {
        using var cpu = biasSpec.reshape(-1).cpu();
        return cpu.data<float>().ToArray();
    }

    /// <summary>audio (B, T) → denoised audio (B, T'), T' = hop·(T/hop) as Tacotron2's STFT returns it.</summary>
    public Tensor Denoise(Tensor audio, double strength = 0.1)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var (magnitude, phase) = stft.Transform(audio.to(ScalarType.Float32));
        var denoised = (magnitude - biasSpec * strength).clamp_min(0.0);
        return stft.Inverse(denoised, phase).MoveToOuterDisposeScope();
    }

    public void Dispose()
    {
        biasSpec.Dispose();
        stft.Dispose();
    }
}
