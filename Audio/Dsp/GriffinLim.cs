using TorchSharp;
using WaveFlow.Core;
using static TorchSharp.torch;

namespace WaveFlow.Audio.Dsp;

/// <summary>
/// Griffin-Lim as a baseline vocoder: log mel → linear magnitude through the filterbank's
/// pseudo-inverse (negative values clamped to 0), then phase retrieval by alternating
/// projections with <see cref="TorchStft"/> (the same STFT the mels come from), with the
/// "fast Griffin-Lim" momentum of Perraudin et al. (2013), as librosa does by default.
/// </summary>
internal sealed class GriffinLim : IDisposable
{
    /// <summary>Fast Griffin-Lim momentum (librosa's default); 0 gives the classic algorithm.</summary>
    public const float DefaultMomentum = 0.99f;

    private readonly MelOptions options;
    private readonly torch.Device device;
    private readonly TorchStft stft;
    private readonly Tensor pinv;        // (nFreq, nMel) the filterbank's pseudo-inverse

    /// <summary>The STFT and the filterbank's pseudo-inverse, built once for every mel this instance renders.</summary>
    public GriffinLim(MelOptions options, torch.Device? device = null)
    {
        options.Validate("mel options");
        this.options = options;
        this.device = device ?? torch.CPU;
        stft = new TorchStft(options.FilterLength, options.HopLength, options.WinLength, this.device);
        pinv = torch.tensor(MelFilterbank.PseudoInverse(options), [options.NFreq, options.NMelChannels], ScalarType.Float32, device: this.device)
            .DetachFromDisposeScope();
    }

    /// <summary>One-off: builds the STFT for this call (use an instance for many mels).</summary>
    public static float[] Synthesize(FloatArray logMel, MelOptions options, int iterations = 60, int seed = 0,
                                     torch.Device? device = null, float momentum = DefaultMomentum)
    {
        using var griffinLim = new GriffinLim(options, device);
        return griffinLim.Synthesize(logMel, iterations, seed, momentum);
    }

    /// <summary>
    /// Log mel [n_mel, F] (natural log, Tacotron2's scale) → audio of (F − 1)·hop samples in
    /// [-1, 1]. The initial phase is uniform random from <paramref name="seed"/>: the same seed
    /// gives the same audio.
    /// </summary>
    public float[] Synthesize(FloatArray logMel, int iterations = 60, int seed = 0, float momentum = DefaultMomentum)
    {
        if (iterations < 0) throw new ArgumentOutOfRangeException(nameof(iterations), iterations, "must be ≥ 0");
        if (logMel.Shape.Length != 2 || logMel.Shape[0] != options.NMelChannels)
            throw new ArgumentException($"mel must be [{options.NMelChannels}, frames], got [{string.Join(", ", logMel.Shape)}]");
        int frames = (int)logMel.Shape[1];
        int minFrames = options.FilterLength / 2 / options.HopLength + 2;
        if (frames < minFrames)
            throw new WaveFlowException($"mel of {frames} frames is too short for Griffin-Lim: needs at least {minFrames}");
        int nMel = options.NMelChannels, nFreq = options.NFreq;

        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var mel = torch.tensor(logMel.Data, [nMel, frames], ScalarType.Float32).to(device);
        var magnitude = torch.clamp(torch.matmul(pinv, torch.exp(mel)), min: 0f).unsqueeze(0);  // (1, nFreq, F)

        // Seeded on the CPU with System.Random so that every device starts from the same phase.
        var rng = new Random(seed);
        var initial = new float[nFreq * frames];
        for (int i = 0; i < initial.Length; i++) initial[i] = (float)(Math.PI * (2 * rng.NextDouble() - 1));
        var phase = torch.tensor(initial, [1L, nFreq, frames], ScalarType.Float32).to(device);   // (1, nFreq, F)

        Tensor? previousRe = null, previousIm = null;
        for (int it = 0; it < iterations; it++)
        {
            using var step = torch.NewDisposeScope();
            var audio = stft.Inverse(magnitude, phase);                                        // (1, (F−1)·hop)
            var (rebuiltMag, rebuiltPhase) = stft.Transform(audio);                            // (1, nFreq, F)
            var re = rebuiltMag * torch.cos(rebuiltPhase);
            var im = rebuiltMag * torch.sin(rebuiltPhase);
            // Momentum: extrapolate away from the previous projection (Perraudin's fast GLA).
            var newPhase = previousRe is null || momentum == 0
                ? rebuiltPhase
                : torch.atan2(im - momentum * previousIm!, re - momentum * previousRe);
            previousRe?.Dispose(); previousIm?.Dispose();
            previousRe = re.MoveToOuterDisposeScope();
            previousIm = im.MoveToOuterDisposeScope();
            phase.Dispose();
            phase = newPhase.MoveToOuterDisposeScope();
        }
        var result = stft.Inverse(magnitude, phase).squeeze(0);                                 // ((F−1)·hop)
        return torch.clamp(result, -1f, 1f).cpu().data<float>().ToArray();
    }

    public void Dispose()
    {
        stft.Dispose();
        pinv.Dispose();
    }
}
