using TorchSharp;
using static TorchSharp.torch;

namespace WaveFlow.Vocoder;

/// <summary>
/// The buffers that <see cref="WN.Infer"/> writes in place, allocated once per
/// inverse call (<see cref="WorkspaceInverse"/>, <see cref="PhaseFoldedInverse"/>) and shared by
/// every flow and layer (batch element 1, no autograd). Why: a page fault on fresh memory is
/// expensive, and glibc hands every allocation above its mmap threshold back to the kernel when
/// it is freed, so the per-layer temporaries of the plain forward (a 2·C·L × T' conditioning
/// tensor per flow and several 2C × T' ones per layer) were faulted in again and again
/// (docs/bench/history.md, change 5). Here nothing of size T' is allocated between the first flow
/// and the last.
/// </summary>
internal sealed class InferenceWorkspace : IDisposable
{
    /// <summary>(n_mel·n_group, T'): the squeezed upsampled mel, the same for every flow and layer
    /// (null when the conditioning is phase-folded).</summary>
    public Tensor? Spect { get; }

    /// <summary>(F, J·n_mel): each frame's window of mel frames (<see cref="PhaseFold.Windows"/>), when the conditioning is phase-folded.</summary>
    public Tensor? Windows { get; }

    /// <summary>(F, 2C·P): a layer's folded conditioning before it is laid out as (2C, T'), when phase-folded.</summary>
    public Tensor? Folded { get; }

    /// <summary>(C·K, T'): the dilated convolution's input as K shifted copies, row c·K + j holding
    /// channel c shifted by tap j, so that the in_layer weight (2C, C, K) is one (2C, C·K) matrix as it is.</summary>
    public Tensor Taps { get; }

    /// <summary>(2C, T'): in_layer(audio) + conditioning, then the gate in place (rows [0, C) become the activations).</summary>
    public Tensor InAct { get; }

    /// <summary>(2C, T'): rows [0, C) the residual stream ("audio" in NVIDIA's WN), rows [C, 2C) the skip sum.</summary>
    public Tensor State { get; }

    /// <summary>
    /// (C, T') float32, only for a low-precision model (else null): libtorch's bfloat16 tanh
    /// evaluates SLEEF's 1-ULP float32 tanh per element, its float32 tanh a vectorised oneMKL one,
    /// so widening, tanh and narrowing back is faster than tanh in place (docs/bench/history.md,
    /// change 6).
    /// </summary>
    public Tensor? Wide { get; }

    public long Steps { get; }
    public int Channels { get; }
    public int KernelSize { get; }

    /// <param name="spect">(n_mel·n_group, T') the squeezed mel; the workspace keeps it (no copy when contiguous)</param>
    /// <param name="channels">WN's n_channels (C)</param>
    /// <param name="kernelSize">WN's kernel_size (K)</param>
    public InferenceWorkspace(Tensor spect, int channels, int kernelSize)
        : this(spect.shape[1], channels, kernelSize, spect.dtype, spect.device)
    {
        Spect = spect.contiguous().DetachFromDisposeScope();
    }

    /// <param name="windows">(F, J·n_mel) the mel's frame windows for phase-folded conditioning; kept</param>
    /// <param name="phases">P grouped steps per frame: T' = P·F</param>
    /// <param name="channels">WN's n_channels (C)</param>
    /// <param name="kernelSize">WN's kernel_size (K)</param>
    public InferenceWorkspace(Tensor windows, int phases, int channels, int kernelSize)
        : this(windows.shape[0] * phases, channels, kernelSize, windows.dtype, windows.device)
    {
        Windows = windows.contiguous().DetachFromDisposeScope();
        Folded = empty([windows.shape[0], 2L * channels * phases], dtype: windows.dtype, device: windows.device).DetachFromDisposeScope();
    }

    private InferenceWorkspace(long steps, int channels, int kernelSize, ScalarType dtype, Device device)
    {
        Steps = steps;
        Channels = channels;
        KernelSize = kernelSize;
        Taps = empty([channels * kernelSize, Steps], dtype: dtype, device: device).DetachFromDisposeScope();
        InAct = empty([2L * channels, Steps], dtype: dtype, device: device).DetachFromDisposeScope();
        State = empty([2L * channels, Steps], dtype: dtype, device: device).DetachFromDisposeScope();
        if (dtype is ScalarType.BFloat16 && device.type == DeviceType.CPU)
            Wide = empty([channels, Steps], dtype: ScalarType.Float32, device: device).DetachFromDisposeScope();
    }

    /// <summary>
    /// Writes a layer's pre-activation start value into <see cref="InAct"/> from phase-folded
    /// conditioning: <paramref name="bias"/> (2C, the in_layer's and the folded bias) plus the
    /// folded product of the frame windows. The product comes out frame-major, (F, 2C, P); one
    /// copy lays it out as (2C, F·P) with the P phases of a frame contiguous in both.
    /// </summary>
    public void FoldedConditioning(Tensor weights, Tensor bias, int phases)
    {
        using var scope = NewDisposeScope();
        long frames = Windows!.shape[0], rows = 2L * Channels;
        var folded = Folded!.view(frames, rows, phases);                           // (F, 2C, P)
        folded.copy_(bias.view(1, rows, 1).expand(frames, rows, phases));
        Folded.addmm_(Windows, weights, 1, 1);                                     // (F, J·n_mel)·(J·n_mel, 2C·P)
        InAct.view(rows, frames, phases).copy_(folded.permute(1, 0, 2));          // (2C, F, P) = (2C, T')
    }

    /// <summary>tanh of <paramref name="rows"/> (C, T') in place, through <see cref="Wide"/> when there is one.</summary>
    public Tensor TanhInPlace(Tensor rows)
    {
        if (Wide is null) return rows.tanh_();
        Wide.copy_(rows);
        Wide.tanh_();
        return rows.copy_(Wide);
    }

    /// <summary>
    /// Fills <see cref="Taps"/> from the residual stream for a kernel with this dilation and
    /// "same" padding: tap j reads audio[t + (j − (K−1)/2)·d], zero outside [0, T').
    /// </summary>
    public void FillTaps(long dilation)
    {
        using var scope = NewDisposeScope();
        var audio = State.narrow(0, 0, Channels);                              // (C, T')
        var taps = Taps.view(Channels, KernelSize, Steps);                     // (C, K, T')
        long centre = (KernelSize - 1) / 2;
        for (int j = 0; j < KernelSize; j++)
        {
            long shift = (j - centre) * dilation;                              // tap j reads t + shift
            var dst = taps.select(1, j);                                       // (C, T'), row stride K·T'
            long n = Steps - Math.Abs(shift);
            if (n <= 0) { dst.zero_(); continue; }
            if (shift >= 0)
            {
                dst.narrow(1, 0, n).copy_(audio.narrow(1, shift, n));
                if (shift > 0) dst.narrow(1, n, shift).zero_();
            }
            else
            {
                dst.narrow(1, -shift, n).copy_(audio.narrow(1, 0, n));
                dst.narrow(1, 0, -shift).zero_();
            }
        }
    }

    public void Dispose()
    {
        Spect?.Dispose();
        Windows?.Dispose();
        Folded?.Dispose();
        Taps.Dispose();
        InAct.Dispose();
        State.Dispose();
        Wide?.Dispose();
    }
}
