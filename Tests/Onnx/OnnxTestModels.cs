using WaveFlow.Audio;
using WaveFlow.Core;
using WaveFlow.Onnx;
using WaveFlow.Onnx.Export;
using WaveFlow.Onnx.Export.Proto;
using WaveFlow.Tests.Support;
using WaveFlow.Vocoder;
using WaveFlow.Vocoder.Checkpoints;
using Google.Protobuf;
using static TorchSharp.torch;

namespace WaveFlow.Tests.Onnx;

/// <summary>Exports test models to ONNX and runs them in ONNX Runtime next to the libtorch path.</summary>
internal static class OnnxTestModels
{
    /// <summary>The exported graph of <paramref name="model"/> (the model's weight norm is folded in place).</summary>
    public static ModelProto Build(WaveGlow model, bool half = false) =>
        WaveGlowOnnxExporter.Build(new LoadedModel(model, model.Options, model.Mel, 0, "test"), half);

    /// <summary>Writes <paramref name="proto"/> to <paramref name="path"/> and returns the path.</summary>
    public static string Write(ModelProto proto, string path)
    {
        using (var f = File.Create(path)) proto.WriteTo(f);
        return path;
    }

    /// <summary>Exports <paramref name="model"/> into <paramref name="tmp"/> as <paramref name="name"/>.</summary>
    public static string Export(WaveGlow model, TempDir tmp, string name = "model.onnx", bool half = false) =>
        Write(Build(model, half), tmp[name]);

    /// <summary>
    /// The libtorch synthesis of mel [n_mel, F] with z = σ·ε (ε [g, S]) on <paramref name="model"/>
    /// (NVIDIA's infer; weight norm folded or not) → audio.
    /// </summary>
    public static float[] Libtorch(WaveGlow model, FloatArray mel, FloatArray eps, float sigma)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var z = ModelFixture.Batched(eps) * sigma;
        return ModelFixture.Floats(model.Inverse(z, ModelFixture.Batched(mel)));
    }

    /// <summary>The ONNX Runtime synthesis of the same inputs through the package's synthesizer (whole, no chunks).</summary>
    public static float[] Onnx(string path, FloatArray mel, FloatArray eps, float sigma, int chunkFrames = 0)
    {
        using var model = new OnnxModel(path, "cpu");
        return new OnnxSynthesizer(model).Synthesize(mel, new OnnxVocoderOptions { Sigma = sigma, ChunkFrames = chunkFrames }, eps);
    }

    /// <summary>Standard-normal ε in z's layout [g, frames·hop/g], from a seed.</summary>
    public static FloatArray Eps(int group, long frames, int hop, long seed)
    {
        long steps = frames * hop / group;
        return new FloatArray(OnnxNoise.Gaussian(group * steps, 1f, seed), [group, steps]);
    }

    /// <summary>A mel of N(0, 1)·2 − 5 values (log-mel-like), [n_mel, frames], from a seed.</summary>
    public static FloatArray Mel(int nMel, long frames, long seed)
    {
        var values = OnnxNoise.Gaussian(nMel * frames, 2f, seed);
        for (int i = 0; i < values.Length; i++) values[i] -= 5f;
        return new FloatArray(values, [nMel, frames]);
    }

    /// <summary>A perturbed random model of <paramref name="options"/> with mel settings whose hop is a multiple of n_group.</summary>
    public static WaveGlow Random(WaveGlowOptions options, long seed)
    {
        var mel = new MelOptions { FilterLength = 32, HopLength = 16, WinLength = 32, NMelChannels = options.NMelChannels, MelFmax = 8000 };
        WaveGlow model;
        using (InitRandom.Seeded(seed)) model = new WaveGlow(options, mel);
        ModelFixture.Perturb(model, 0.05, seed);
        return model;
    }
}
