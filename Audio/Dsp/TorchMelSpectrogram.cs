using TorchSharp;
using static TorchSharp.torch;

namespace WaveFlow.Audio.Dsp;

/// <summary>
/// Tacotron2's TacotronSTFT.mel_spectrogram in TorchSharp, batched on the training device:
/// <see cref="TorchStft"/> magnitude, matmul with the Slaney filterbank, ln(clamp(·, 1e-5)).
/// </summary>
internal sealed class TorchMelSpectrogram : IDisposable
{
    private readonly TorchStft stft_fn;
    private readonly Tensor mel_basis;    // (n_mel, filter_length/2 + 1)
    private readonly float scale;

    public MelOptions Options { get; }

    public TorchMelSpectrogram(MelOptions options, torch.Device device)
    {
        options.Validate("mel options");
        Options = options;
        stft_fn = new TorchStft(options.FilterLength, options.HopLength, options.WinLength, device);
        mel_basis = torch.tensor(MelFilterbank.Create(options), [options.NMelChannels, options.NFreq], ScalarType.Float32).to(device).DetachFromDisposeScope();
        scale = (float)(32768.0 / options.MaxWavValue);  // see MelSpectrogram.Magnitude
    }

    /// <summary>Audio (B, T) in [-1, 1] → log mel (B, n_mel, T/hop + 1) on the audio's device.</summary>
    public Tensor Compute(Tensor audio)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        if (audio.dim() == 1) audio = audio.unsqueeze(0);                                 // (1, T)
        var x = audio.to(mel_basis.device).to_type(ScalarType.Float32);
        if (scale != 1f) x = x * scale;
        var magnitude = stft_fn.Magnitude(x);                                              // (B, nFreq, frames)
        var mel = torch.matmul(mel_basis, magnitude);                                     // (B, n_mel, frames)
        var log = torch.log(torch.clamp(mel, min: MelSpectrogram.LogFloor));
        return log.to(audio.device).MoveToOuterDisposeScope();
    }

    public void Dispose()
    {
        stft_fn.Dispose();
        mel_basis.Dispose();
    }
}
