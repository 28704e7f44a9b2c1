using TorchSharp;
using WaveFlow.Core;
using WaveFlow.Core.Runtime;
using WaveFlow.Vocoder.Checkpoints;
using WaveFlow.Vocoder.Synthesis;
using static TorchSharp.torch;

namespace WaveFlow.Vocoder;

/// <summary>
/// Mel → audio with a loaded model: audio = inverse(σ·ε, mel), NVIDIA's infer. Weight norm is
/// folded once (inference only). float16 and bfloat16 run a folded copy of the model in that
/// format, whose 1x1-convolution inverses come from float64 (see <see cref="Invertible1x1Conv"/>).
/// </summary>
internal sealed class Synthesizer : IDisposable
{
    private readonly LoadedModel loaded;
    private readonly Device device;
    private readonly Dictionary<Precision, WaveGlow> lowPrecision = [];
    private Denoiser? denoiser;

    public Synthesizer(LoadedModel loaded)
    {
        this.loaded = loaded;
        device = loaded.Model.parameters().First().device;
        loaded.Model.FoldWeightNorm();
        loaded.Model.eval();
    }

    public LoadedModel Loaded => loaded;

    /// <summary>mel [n_mel, F] (or [1, n_mel, F]) → F·hop samples in [-1, 1] (not clipped).</summary>
    public float[] Synthesize(FloatArray mel, SynthesisOptions options)
    {
        // Built once and kept across calls, so outside this call's dispose scope.
        var model = options.Precision == Precision.Fp32 ? loaded.Model : LowPrecisionModel(options.Precision);
        if (options.Denoise > 0) denoiser ??= new Denoiser(loaded.Model, device);
        using var gcGuard = ScalarGuard.Enter();      // see ScalarGuard: TorchSharp's Scalars vs the GC
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var o = loaded.Options;
        long[] shape = mel.Shape.Length == 3 && mel.Shape[0] == 1 ? mel.Shape[1..] : mel.Shape;
        if (shape.Length != 2 || shape[0] != o.NMelChannels)
            throw new WaveFlowException($"mel has shape {StateDict.Shape(mel.Shape)}, the model needs [{o.NMelChannels}, frames]");
        long frames = shape[1];
        long steps = frames * loaded.Mel.HopLength / o.NGroup;
        if (frames < 1 || steps < 1) throw new WaveFlowException($"mel has {frames} frames, too short to synthesise");

        var dtype = options.Precision.Dtype();
        var melTensor = tensor(mel.Data, [1, shape[0], frames]).to(dtype, device);   // (1, n_mel, F)
        var z = Noise(options, o.NGroup, steps).to(dtype, device) * options.Sigma;    // (1, g, F·hop/g)
        var audio = (options.ChunkFrames > 0 && frames > options.ChunkFrames
            ? ChunkedInference.Infer(model, melTensor, z, options.ChunkFrames)
            : model.Inverse(z, melTensor)).to(ScalarType.Float32);                       // (1, T)
        if (options.Denoise > 0) audio = denoiser!.Denoise(audio, options.Denoise);
        using var cpu = audio.reshape(-1).cpu();
        return cpu.data<float>().ToArray();
    }

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

    private WaveGlow LowPrecisionModel(Precision precision)
    {
        if (lowPrecision.TryGetValue(precision, out var model)) return model;
        var copy = new WaveGlow(loaded.Options, loaded.Mel);
        StateDict.Load(copy, StateDict.Export(loaded.Model), "in-memory model");
        copy.FoldWeightNorm();
        copy.to(precision.Dtype()).to(device);
        copy.eval();
        return lowPrecision[precision] = copy;
    }

    public void Dispose()
    {
        foreach (var model in lowPrecision.Values) model.Dispose();
        denoiser?.Dispose();
    }
}
