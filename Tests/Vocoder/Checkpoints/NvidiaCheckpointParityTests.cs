using TorchSharp;
using WaveFlow.Audio;
using WaveFlow.Core.Serialization;
using WaveFlow.Tests.Support;
using WaveFlow.Vocoder;
using WaveFlow.Vocoder.Checkpoints;
using static TorchSharp.torch;

namespace WaveFlow.Tests.Vocoder.Checkpoints;

/// <summary>
/// The checkpoint loaders against NVIDIA's reference audio: a model built from what each loader
/// returns must synthesise the fixture's <c>infer.sigma0.6.audio.npy</c> from its <c>infer.eps.npy</c>.
/// </summary>
public class NvidiaCheckpointParityTests
{
    [Theory]
    [InlineData("nvidia_checkpoint.pt")]
    [InlineData("state_dict.pt")]
    public void LoadedWeightsReproduceTheReferenceAudio(string file)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var contents = NvidiaCheckpoint.Load(Fixture.Path_("micro", file));
        Assert.False(contents.AlternatingHalves);
        using var model = Build("micro", contents);
        var (eps, mel) = Inputs("micro");
        AssertMatchesReference("micro", model.Inverse(eps * 0.6, mel), file);
    }

    /// <summary>
    /// micro-legacy's reference audio was made by the model class pickled in the file, whose source (embedded in
    /// the legacy pickle) is NVIDIA's glow_old.py: odd flows condition on the second half. The loader must flag
    /// that, and its weights (cond_layers fused) must reproduce the reference when run with that layout.
    /// The glow_old inverse is written out here from the model's public pieces.
    /// </summary>
    [Fact]
    public void LegacyWeightsReproduceTheReferenceWithGlowOldsAlternatingHalves()
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var contents = NvidiaCheckpoint.Load(Fixture.Path_("micro-legacy", "nvidia_checkpoint_legacy.pt"));
        Assert.True(contents.AlternatingHalves);
        using var model = Build("micro-legacy", contents);
        var modules = model.named_modules().ToDictionary(m => m.name, m => m.module);
        var (eps, mel) = Inputs("micro-legacy");
        var o = model.Options;
        int g = o.NGroup;
        var z = eps * 0.6;
        var spect = Squeeze.Mel(((MelUpsampler)modules["upsample"]).forward(mel).narrow(2, 0, z.shape[2] * g), g); // (1, n_mel·g, T/g)
        int earlyEnd = g - o.NRemainingChannels;
        var x = z.narrow(1, earlyEnd, o.NRemainingChannels);
        for (int k = o.NFlows - 1; k >= 0; k--)
        {
            long half = x.shape[1] / 2;
            bool odd = k % 2 == 1;
            var a0 = x.narrow(1, odd ? half : 0, half);      // what WN reads
            var a1 = x.narrow(1, odd ? 0 : half, half);      // what the coupling transforms
            var n1 = AffineCoupling.Inverse(a1, ((WN)modules[$"WN.{k}"]).forward(a0, spect));
            x = model.Convinv[k].Inverse(odd ? cat([n1, a0], 1) : cat([a0, n1], 1));
            if (k > 0 && k % o.NEarlyEvery == 0)
            {
                earlyEnd -= o.NEarlySize;
                x = cat([z.narrow(1, earlyEnd, o.NEarlySize), x], 1);
            }
        }
        AssertMatchesReference("micro-legacy", Squeeze.UnsqueezeAudio(x), "nvidia_checkpoint_legacy.pt (glow_old layout)");
    }

    /// <summary>The user's path: CheckpointLoader sees glow_old's class and runs the flow in its layout.</summary>
    [Fact]
    public void CheckpointLoaderReproducesTheLegacyReferenceAudio()
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var loaded = CheckpointLoader.Load(Fixture.Path_("micro-legacy", "nvidia_checkpoint_legacy.pt"), CPU);
        using var model = loaded.Model;
        Assert.True(loaded.Options.AlternatingHalves);
        Assert.Equal("nvidia-checkpoint-legacy", loaded.Kind);
        var (eps, mel) = Inputs("micro-legacy");
        AssertMatchesReference("micro-legacy", model.Inverse(eps * 0.6, mel), "CheckpointLoader (alternating halves)");

        // and the swapped layout is still an exact inverse of its forward pass
        var audio = model.Inverse(eps * 0.6, mel);
        var (z, _, _) = model.Forward(audio, mel);
        double err = (z - eps * 0.6).norm().item<float>() / (eps * 0.6).norm().item<float>();
        Assert.True(err < 1e-4, $"forward(inverse(z)) relative error {err:G3}");
    }

    private static WaveGlow Build(string fixture, NvidiaCheckpointContents contents)
    {
        var options = WaveGlowOptions.Load(Fixture.Path_(fixture, "config.json"));
        var model = new WaveGlow(options, new MelOptions { NMelChannels = options.NMelChannels });
        StateDict.Load(model, contents.StateDict, fixture);
        model.eval();
        return model;
    }

    private static (Tensor Eps, Tensor Mel) Inputs(string fixture)
    {
        var mel = NpyFile.Read(Fixture.Path_(fixture, "infer.mel.npy"));
        var eps = NpyFile.Read(Fixture.Path_(fixture, "infer.eps.npy"));
        return (tensor(eps.Data, [1, .. eps.Shape]), tensor(mel.Data, [1, .. mel.Shape]));
    }

    private static void AssertMatchesReference(string fixture, Tensor audio, string what)
    {
        using var cpu = audio.detach().to(ScalarType.Float32, CPU).contiguous();
        var reference = NpyFile.Read(Fixture.Path_(fixture, "infer.sigma0.6.audio.npy"));
        double err = Fixture.RelativeL2(cpu.data<float>().ToArray(), reference.Data);
        Assert.True(err < 1e-4, $"{fixture}/{what}: audio relative L2 error {err:G3}");
    }
}
