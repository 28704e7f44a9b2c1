using TorchSharp;
using WaveFlow.Tests.Support;
using WaveFlow.Training.Config;
using WaveFlow.Vocoder;
using WaveFlow.Vocoder.Checkpoints;
using static TorchSharp.torch;

namespace WaveFlow.Tests.Vocoder;

/// <summary>The flow variants (NICE, RealNVP, Glow as configuration): shipped configs, and checkpoints that keep the choice.</summary>
public class FlowVariantTests
{
    [Theory]
    [InlineData("waveflow-small-additive.json", "additive", "invertible-1x1", true)]
    [InlineData("waveflow-small-lu.json", "affine", "lu-1x1", false)]
    [InlineData("waveflow-small-reverse.json", "affine", "reverse", false)]
    [InlineData("waveflow-small-shuffle.json", "affine", "shuffle", false)]
    [InlineData("waveflow-small-prior-scale.json", "affine", "invertible-1x1", true)]
    [InlineData("waveflow-small.json", "affine", "invertible-1x1", false)]
    public void ShippedVariantConfigsSayWhatTheyAre(string file, string coupling, string permutation, bool priorScale)
    {
        var c = TrainingConfig.Load(Path.Combine(AppContext.BaseDirectory, "configs", file));
        Assert.Equal((coupling, permutation, priorScale), (c.Model.Coupling, c.Model.Permutation, c.Model.PriorScale));
        Assert.Equal(c.Model, WaveGlowOptions.Parse(c.Model.ToJson(), "round trip"));
    }

    [Theory]
    [InlineData("shuffle", "affine", false)]
    [InlineData("lu-1x1", "additive", true)]
    [InlineData("reverse", "affine", true)]
    public void VariantCheckpointsReloadToTheSameFlow(string permutation, string coupling, bool priorScale)
    {
        using var tmp = new TempDir();
        var json = new WaveGlowOptions
        {
            NMelChannels = 3, NFlows = 4, NGroup = 8, NEarlyEvery = 2, NEarlySize = 2, WN = new WNOptions(2, 4, 3),
            Coupling = coupling, Permutation = permutation, PermutationSeed = 77, PriorScale = priorScale,
        }.ToJson();
        using var model = FlowPropertyTests.Build(json, 5);
        string path = Path.Combine(tmp.Path, "v.safetensors");
        WaveFlowCheckpoint.Save(path, model, model.Options, model.Mel, 10);
        var loaded = CheckpointLoader.Load(path, CPU);
        using var again = loaded.Model;
        Assert.Equal(model.Options, loaded.Options);

        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var mel = randn(1, 3, 12);
        var audio = rand(1, 48) * 2 - 1;
        var (z1, s1, w1) = model.Forward(audio, mel);
        var (z2, s2, w2) = again.Forward(audio, mel);
        Assert.Equal(0.0, (z1 - z2).abs().max().item<float>(), 6);
        Assert.Equal((s1 + w1).item<float>(), (s2 + w2).item<float>(), 4);
    }

    [Fact]
    public void ShuffleOrderComesFromTheCheckpointNotTheSeed()
    {
        using var a = new FixedPermutation(8, 1);
        using var b = new FixedPermutation(8, 2);
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var x = arange(8, dtype: ScalarType.Float32).view(1, 8, 1);
        Assert.False(a.forward(x).Z.equal(b.forward(x).Z).all().item<bool>());
        b.load_state_dict(a.state_dict());
        Assert.True(a.forward(x).Z.equal(b.forward(x).Z).all().item<bool>());
        Assert.True(b.Inverse(b.forward(x).Z).equal(x).all().item<bool>());
    }
}
