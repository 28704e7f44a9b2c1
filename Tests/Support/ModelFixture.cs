using TorchSharp;
using WaveFlow.Audio;
using WaveFlow.Core;
using WaveFlow.Core.Serialization;
using WaveFlow.Vocoder;
using WaveFlow.Vocoder.Checkpoints;
using static TorchSharp.torch;

namespace WaveFlow.Tests.Support;

/// <summary>Builds the reference models of Tests/Fixtures/{micro,tiny} and converts arrays.</summary>
internal static class ModelFixture
{
    /// <summary>The state dict file of each fixture model (tiny stores it as exact float16).</summary>
    public static string WeightsPath(string name) =>
        Fixture.Path_(name, name == "tiny" ? "weights.fp16.safetensors" : "weights.safetensors");

    public static WaveGlowOptions Options(string name) => WaveGlowOptions.Load(Fixture.Path_(name, "config.json"));

    public static WaveGlow Load(string name)
    {
        var options = Options(name);
        var model = new WaveGlow(options, new MelOptions { NMelChannels = options.NMelChannels });
        StateDict.Load(model, Safetensors.Read(WeightsPath(name)).Tensors, WeightsPath(name));
        model.eval();
        return model;
    }

    public static FloatArray Npy(string name, string file) => NpyFile.Read(Fixture.Path_(name, file));

    /// <summary>
    /// NVIDIA's synthesis case of fixture <paramref name="name"/> on <paramref name="device"/>: the
    /// model with weight norm folded, its mel (1, n_mel, F) and z = 0.6·ε (1, g, T/g), and the
    /// audio NVIDIA's infer produced from them (current dispose scope).
    /// </summary>
    public static (WaveGlow Model, Tensor Mel, Tensor Z, float[] Audio) InferenceCase(string name, Device device)
    {
        var model = Load(name);
        model.FoldWeightNorm();
        model.to(device);
        var mel = Batched(Npy(name, "infer.mel.npy")).to(device);
        var z = (Batched(Npy(name, "infer.eps.npy")) * 0.6).to(device);
        return (model, mel, z, Npy(name, "infer.sigma0.6.audio.npy").Data);
    }

    /// <summary>The array as a tensor with a leading batch axis of 1.</summary>
    public static Tensor Batched(FloatArray a) => tensor(a.Data, [1, .. a.Shape]);

    public static float[] Floats(Tensor t)
    {
        using var cpu = t.detach().to(ScalarType.Float32, CPU).contiguous();
        return cpu.data<float>().ToArray();
    }

    /// <summary>
    /// Adds N(0, scale²) to every parameter, so that no coupling is the identity (WN's `end` starts
    /// at zero) and the properties are tested on a generic flow.
    /// </summary>
    public static void Perturb(nn.Module model, double scale, long seed)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var gen = new Generator((ulong)seed);
        foreach (var (_, p) in model.named_parameters())
            p.add_(randn(p.shape, dtype: p.dtype, generator: gen) * scale);
    }
}
