using TorchSharp;
using WaveFlow.Core;
using WaveFlow.Core.Runtime;
using WaveFlow.Vocoder.Checkpoints;
using WaveFlow.Vocoder.Synthesis;
using static TorchSharp.torch;

namespace WaveFlow.Vocoder;

/// <summary>
/// Mel → audio with a loaded model: audio = inverse(σ·ε, mel), NVIDIA's infer. Weight norm is
/// folded once (inference only), and the inverse it runs is chosen once, here
/// (<see cref="FlowInverse.ForSynthesis"/>: the mel upsampler folded into the conditioning where
/// its weights stay within <see cref="PhaseFold.AutoBudgetBytes"/>, else the workspace inverse). float16 and bfloat16 run a folded copy of the model in that
/// format, whose 1x1-convolution inverses come from float64 (see <see cref="Invertible1x1Conv"/>).
/// <para>The one owner of a model that synthesises: the facade, the CLI, eval, compare and the
/// study all synthesise through a Synthesizer, which disposes the model with itself.</para>
/// </summary>
internal sealed class Synthesizer : IDisposable
{
    private readonly LoadedModel loaded;
    private readonly Device device;
    private readonly IFlowInverse inverse;                       // float32, the loaded model
    private readonly Dictionary<Precision, IFlowInverse> lowPrecision = [];
    private Denoiser? denoiser;

    /// <summary>Takes ownership of <paramref name="loaded"/>'s model (disposed with the synthesizer, or here if this fails).</summary>
    public Synthesizer(LoadedModel loaded)
    {
        this.loaded = loaded;
        try
        {
            device = loaded.Model.parameters().First().device;
            // Counted before weight norm is folded (g and v into one weight): the trained
            // parameters, as NVIDIA's model.parameters() counts them.
            TrainedParameterCount = loaded.Model.parameters().Sum(p => p.numel());
            loaded.Model.FoldWeightNorm();
            loaded.Model.eval();
            inverse = FlowInverse.ForSynthesis(loaded.Model);
        }
        catch
        {
            loaded.Model.Dispose();
            throw;
        }
    }

    /// <summary>Loads a checkpoint of any format (<see cref="CheckpointLoader.Load"/>) for synthesis on <paramref name="device"/>.</summary>
    public static Synthesizer Load(string path, Device device, string? configPath = null) =>
        new(CheckpointLoader.Load(path, device, configPath));

    /// <summary>The model's parameters as trained (weight norm's g and v counted apart).</summary>
    public long TrainedParameterCount { get; }

    public LoadedModel Loaded => loaded;

    /// <summary>The float32 inverse chosen at load (what <see cref="Synthesize"/> runs).</summary>
    internal IFlowInverse Flow => inverse;

    /// <summary>mel [n_mel, F] (or [1, n_mel, F]) → F·hop samples in [-1, 1] (not clipped).</summary>
    public float[] Synthesize(FloatArray mel, SynthesisOptions options)
    {
        // Built once and kept across calls, so outside this call's dispose scope.
        var flow = InverseFor(options.Precision);
        if (options.Denoise > 0) denoiser ??= new Denoiser(inverse, device);
        using var gcGuard = ScalarGuard.Enter();      // see ScalarGuard: TorchSharp's Scalars vs the GC
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var (melTensor, z) = Inputs(mel, options);
        var audio = (Chunked(mel, options)
            ? ChunkedInference.Infer(flow, melTensor, z, options.ChunkFrames)
            : flow.Inverse(z, melTensor)).to(ScalarType.Float32);                       // (1, T)
        if (Source(melTensor, audio.shape[1], options) is { } source) audio = audio + source;
        if (options.Denoise > 0) audio = denoiser!.Denoise(audio, options.Denoise);
        using var cpu = audio.reshape(-1).cpu();
        return cpu.data<float>().ToArray();
    }

    /// <summary>
    /// The same synthesis as <see cref="Synthesize"/>, handed out piece by piece: a chunked
    /// synthesis (a mel longer than <see cref="SynthesisOptions.ChunkFrames"/>) yields each
    /// chunk as soon as it is computed, and the pieces laid end to end equal
    /// <see cref="Synthesize"/>'s output bit for bit. Otherwise, and with the denoiser (whose
    /// STFT spans the whole audio), the one piece is <see cref="Synthesize"/>'s output. The mel
    /// and options are checked here, before any piece is computed.
    /// </summary>
    public SynthesisStream Stream(FloatArray mel, SynthesisOptions options)
    {
        if (options.Denoise > 0 || !Chunked(mel, options))
        {
            Check(mel);
            return new SynthesisStream(() => Synthesize(mel, options));
        }
        var flow = InverseFor(options.Precision);
        using var gcGuard = ScalarGuard.Enter();
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var (melTensor, z) = Inputs(mel, options);
        var plan = ChunkedInference.Plan(flow.Model, melTensor, z, options.ChunkFrames);
        var source = Source(melTensor, z.shape[2] * loaded.Options.NGroup, options);
        return new SynthesisStream(flow, melTensor.DetachFromDisposeScope(), z.DetachFromDisposeScope(), plan, source?.DetachFromDisposeScope());
    }

    /// <summary>
    /// The harmonic source of the whole utterance (1, samples), float32, or null for a model
    /// without one. Rendered once, by the float32 model whatever the precision (the predicted
    /// pitch is a log-frequency, which bfloat16's 8-bit mantissa would round by tens of cents),
    /// so chunks and stream pieces add slices of one phase-continuous signal.
    /// </summary>
    private Tensor? Source(Tensor mel, long samples, SynthesisOptions options)
    {
        if (loaded.Model.Source is not { } source)
        {
            if (options.F0 is not null) throw new WaveFlowException("an F0 file was given, but this model has no harmonic source (waveglow_config.harmonic_source)");
            return null;
        }
        return source.Render(mel.to(ScalarType.Float32), samples, options.F0);
    }

    /// <summary>Whether <see cref="Synthesize"/> runs <paramref name="mel"/> in chunks.</summary>
    private static bool Chunked(FloatArray mel, SynthesisOptions options) =>
        options.ChunkFrames > 0 && mel.Shape[^1] > options.ChunkFrames;

    /// <summary>The mel's [n_mel, F] shape, checked against the model: F frames and F·hop/n_group noise steps.</summary>
    private (long Frames, long Steps) Check(FloatArray mel)
    {
        var o = loaded.Options;
        long[] shape = mel.Shape.Length == 3 && mel.Shape[0] == 1 ? mel.Shape[1..] : mel.Shape;
        if (shape.Length != 2 || shape[0] != o.NMelChannels)
            throw new WaveFlowException($"mel has shape {StateDict.Shape(mel.Shape)}, the model needs [{o.NMelChannels}, frames]");
        long frames = shape[1];
        long steps = frames * loaded.Mel.HopLength / o.NGroup;
        if (frames < 1 || steps < 1) throw new WaveFlowException($"mel has {frames} frames, too short to synthesise");
        return (frames, steps);
    }

    /// <summary>The mel (1, n_mel, F) and the noise σ·ε (1, g, F·hop/g) on the device, in the options' precision (current dispose scope).</summary>
    private (Tensor Mel, Tensor Z) Inputs(FloatArray mel, SynthesisOptions options)
    {
        var (frames, steps) = Check(mel);
        var dtype = options.Precision.Dtype();
        var melTensor = tensor(mel.Data, [1, loaded.Options.NMelChannels, frames]).to(dtype, device);   // (1, n_mel, F)
        var z = Noise(options, loaded.Options.NGroup, steps).to(dtype, device) * options.Sigma;         // (1, g, F·hop/g)
        return (melTensor, z);
    }

    private IFlowInverse InverseFor(Precision precision) => precision == Precision.Fp32 ? inverse : LowPrecisionInverse(precision);

    /// <summary>The given noise (checked against z's layout) or N(0, 1) from the seed, as (1, g, T/g) float32 on the CPU.</summary>
    private static Tensor Noise(SynthesisOptions options, int group, long steps)
    {
        if (options.Noise is { } noise)
        {
            long[] shape = noise.Shape.Length == 3 && noise.Shape[0] == 1 ? noise.Shape[1..] : noise.Shape;
            if (shape.Length != 2 || shape[0] != group || shape[1] != steps)
                throw new WaveFlowException($"noise has shape {StateDict.Shape(noise.Shape)}, this mel needs [{group}, {steps}] (z's layout: [n_group, frames·hop/n_group])");
            return tensor(noise.Data, [1, group, steps]);
        }
        using var generator = options.Seed is { } seed ? new Generator((ulong)seed) : null;
        return generator is null ? randn(1, group, steps) : randn(1, group, steps, generator: generator);
    }

    private IFlowInverse LowPrecisionInverse(Precision precision)
    {
        if (lowPrecision.TryGetValue(precision, out var flow)) return flow;
        var copy = new WaveGlow(loaded.Options, loaded.Mel);
        copy.FoldWeightNorm();                 // the same parameters as the (folded) loaded model
        using (var scope = NewDisposeScope())
        using (no_grad())
        {
            // Tensor to tensor, in libtorch: no managed round trip through a state dict.
            var source = loaded.Model.state_dict();
            foreach (var (name, target) in copy.state_dict()) target.copy_(source[name]);
        }
        copy.to(precision.Dtype()).to(device);
        copy.eval();
        // The float32 fold cast (no second fold), or one from the cast weights (a fold that fits
        // only at half size), or the workspace inverse.
        return lowPrecision[precision] = FlowInverse.ForCopy(inverse, copy);
    }

    public void Dispose()
    {
        foreach (var flow in lowPrecision.Values)
        {
            FlowInverse.Release(flow);
            flow.Model.Dispose();
        }
        FlowInverse.Release(inverse);
        loaded.Model.Dispose();
        denoiser?.Dispose();
    }
}
