using TorchSharp;
using static TorchSharp.torch;

namespace WaveFlow.Audio.Dsp;

/// <summary>
/// Tacotron2's <c>stft.STFT</c> module (which NVIDIA's WaveGlow denoiser also uses), op for op:
/// the STFT is a strided conv1d whose kernels are the real and imaginary Fourier rows times a
/// periodic Hann window, the inverse a conv_transpose1d with the basis' pseudo-inverse, followed
/// by the window-sum-square correction, the filter_length/hop scaling and the trimming of
/// filter_length/2 samples at both ends.
/// </summary>
internal sealed class TorchStft : IDisposable
{
    private readonly Tensor forward_basis;  // (2·cutoff, 1, filter_length)
    private readonly Tensor inverse_basis;  // (2·cutoff, 1, filter_length)
    private Tensor? divisor;                 // (1, 1, N + hop·(frames−1)) for divisorFrames frames
    private int divisorFrames = -1;

    /// <summary>np.finfo(np.float32).tiny, the smallest normal float32 (librosa.util.tiny).</summary>
    private const float Float32Tiny = 1.17549435e-38f;

    public int FilterLength { get; }
    public int HopLength { get; }
    public int WinLength { get; }
    public torch.Device Device { get; }

    /// <summary>Number of frequency bins: filter_length/2 + 1.</summary>
    public int Cutoff => FilterLength / 2 + 1;

    public TorchStft(int filterLength, int hopLength, int winLength, torch.Device device)
    {
        if (filterLength < 2 || filterLength % 2 != 0) throw new ArgumentException($"filter_length must be even, got {filterLength}");
        if (hopLength <= 0 || winLength <= 0 || winLength > filterLength)
            throw new ArgumentException($"bad STFT sizes: filter {filterLength}, hop {hopLength}, win {winLength}");
        FilterLength = filterLength; HopLength = hopLength; WinLength = winLength; Device = device;

        var (forward, inverse) = Bases(filterLength, hopLength, winLength);
        // Owned by this object (released in Dispose), not by a dispose scope open at construction;
        // the scope frees the host copies that to(device) leaves behind.
        using var scope = torch.NewDisposeScope();
        forward_basis = torch.tensor(forward, [2L * Cutoff, 1, filterLength], ScalarType.Float32).to(device).DetachFromDisposeScope();
        inverse_basis = torch.tensor(inverse, [2L * Cutoff, 1, filterLength], ScalarType.Float32).to(device).DetachFromDisposeScope();
    }

    /// <summary>
    /// The forward and inverse bases as the reference builds them in float64 and then casts:
    /// forward row k = Re/Im of np.fft.fft(eye(N))[k] = cos(2πkn/N) / −sin(2πkn/N);
    /// inverse = pinv(scale·forward)ᵀ with scale = N/hop. That pseudo-inverse has a closed
    /// form: AᵀA = scale²·(N/2)(I + uuᵀ + vvᵀ) with u = 1/√N, v = (−1)ⁿ/√N, and the only rows
    /// of A not orthogonal to u and v are k = 0 and k = N/2; it works out to the inverse real
    /// DFT, row k weighted by w_k/(N·scale), w = 1 at k = 0 and N/2, else 2. Both bases are
    /// then multiplied by the zero-padded periodic Hann window.
    /// </summary>
    internal static (float[] Forward, float[] Inverse) Bases(int n, int hop, int win)
    {
        int cutoff = n / 2 + 1;
        double scale = (double)n / hop;
        double[] window = HannWindow.Periodic(n, win);
        var forward = new float[2 * cutoff * n];
        var inverse = new float[2 * cutoff * n];
        for (int k = 0; k < cutoff; k++)
        {
            double w = (k == 0 || 2 * k == n) ? 1.0 : 2.0;
            for (int t = 0; t < n; t++)
            {
                // k·t mod N keeps the angle small, so cos/sin are exact to double rounding.
                double angle = 2 * Math.PI * ((long)k * t % n) / n;
                double re = Math.Cos(angle), im = -Math.Sin(angle);
                forward[k * n + t] = (float)re * (float)window[t];
                forward[(cutoff + k) * n + t] = (float)im * (float)window[t];
                inverse[k * n + t] = (float)(re * w / (n * scale)) * (float)window[t];
                inverse[(cutoff + k) * n + t] = (float)(im * w / (n * scale)) * (float)window[t];
            }
        }
        return (forward, inverse);
    }

    /// <summary>Audio (B, T) → magnitude and phase (B, filter_length/2+1, T/hop + 1).</summary>
    public (Tensor Magnitude, Tensor Phase) Transform(Tensor audio)
    {
        using var scope = torch.NewDisposeScope();
        var (real, imag) = Spectrum(audio);
        var magnitude = torch.sqrt(real * real + imag * imag);
        var phase = torch.atan2(imag, real);
        return (magnitude.MoveToOuterDisposeScope(), phase.MoveToOuterDisposeScope());
    }

    /// <summary>Audio (B, T) → magnitude (B, filter_length/2+1, T/hop + 1), without the phase.</summary>
    public Tensor Magnitude(Tensor audio)
    {
        using var scope = torch.NewDisposeScope();
        var (real, imag) = Spectrum(audio);
        return torch.sqrt(real * real + imag * imag).MoveToOuterDisposeScope();
    }

    /// <summary>Real and imaginary parts (B, cutoff, frames), in the caller's dispose scope.</summary>
    private (Tensor Real, Tensor Imag) Spectrum(Tensor audio)
    {
        if (audio.dim() != 2) throw new ArgumentException($"audio must be (B, T), got ({string.Join(", ", audio.shape)})");
        long batch = audio.shape[0], samples = audio.shape[1];
        int half = FilterLength / 2;
        if (samples <= half) throw new ArgumentException($"reflect padding by {half} needs more than {half} samples, got {samples}");
        // Like librosa's center=True: reflect-pad filter_length/2 samples on each side.
        var x = audio.to_type(ScalarType.Float32).view(batch, 1, samples);                     // (B, 1, T)
        x = nn.functional.pad(x, [half, half], PaddingModes.Reflect);                            // (B, 1, T + N)
        var spectrum = nn.functional.conv1d(x, forward_basis, stride: HopLength);               // (B, 2·cutoff, frames)
        var real = spectrum.narrow(1, 0, Cutoff);                                               // (B, cutoff, frames)
        var imag = spectrum.narrow(1, Cutoff, Cutoff);                                          // (B, cutoff, frames)
        return (real, imag);
    }

    /// <summary>
    /// Magnitude and phase (B, cutoff, frames) → audio (B, (frames−1)·hop): overlap-add of the
    /// inverse basis, divided by the summed squared window where that sum exceeds float32's
    /// smallest normal number, scaled by filter_length/hop, with filter_length/2 trimmed at both ends.
    /// </summary>
    public Tensor Inverse(Tensor magnitude, Tensor phase)
    {
        using var scope = torch.NewDisposeScope();
        if (magnitude.dim() != 3 || magnitude.shape[1] != Cutoff)
            throw new ArgumentException($"magnitude must be (B, {Cutoff}, frames), got ({string.Join(", ", magnitude.shape)})");
        int frames = (int)magnitude.shape[2];
        var recombined = torch.cat([magnitude * torch.cos(phase), magnitude * torch.sin(phase)], 1); // (B, 2·cutoff, frames)
        var y = nn.functional.conv_transpose1d(recombined, inverse_basis, stride: HopLength);         // (B, 1, N + hop·(frames−1))

        y = y / Divisor(frames);
        y = y * ((float)FilterLength / HopLength);  // scale by hop ratio, as the reference does
        int half = FilterLength / 2;
        y = y.narrow(2, half, y.shape[2] - 2 * half);                                                 // (B, 1, hop·(frames−1))
        return y.squeeze(1).MoveToOuterDisposeScope();                                                // (B, hop·(frames−1))
    }

    /// <summary>
    /// Tacotron2's window_sumsquare: the squared periodic Hann (centred in filter_length) summed
    /// at every hop, accumulated in a float32 array from float64 squares as numpy does.
    /// </summary>
    internal float[] WindowSumSquare(int frames)
    {
        int n = FilterLength + HopLength * (frames - 1);
        var x = new float[n];
        double[] window = HannWindow.Periodic(FilterLength, WinLength);
        for (int f = 0; f < frames; f++)
        {
            int start = f * HopLength;
            for (int i = 0; i < FilterLength && start + i < n; i++)
                x[start + i] = (float)(x[start + i] + window[i] * window[i]);
        }
        return x;
    }

    /// <summary>The summed squared window of <paramref name="frames"/> frames, kept for the next call with as many frames.</summary>
    private Tensor Divisor(int frames)
    {
        if (divisor is not null && divisorFrames == frames) return divisor;
        float[] windowSum = WindowSumSquare(frames);
        for (int i = 0; i < windowSum.Length; i++)
            // The reference divides only where the sum is "approximately nonzero" (> float32 tiny)
            // and leaves the other samples as they are: dividing by 1 does the same.
            if (!(windowSum[i] > Float32Tiny)) windowSum[i] = 1f;
        divisor?.Dispose();
        divisor = torch.tensor(windowSum, [1L, 1, windowSum.Length], ScalarType.Float32).to(Device).DetachFromDisposeScope();
        divisorFrames = frames;
        return divisor;
    }

    public void Dispose()
    {
        forward_basis.Dispose();
        inverse_basis.Dispose();
        divisor?.Dispose();
    }
}
