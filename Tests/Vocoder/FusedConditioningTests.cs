using WaveFlow.Evaluation.Benchmarks;
using WaveFlow.Vocoder;
using WaveFlow.Tests.Support;
using static TorchSharp.torch;

namespace WaveFlow.Tests.Vocoder;

/// <summary>The benchmark's inverse with every flow's conditioning as one product gives NVIDIA's audio, as the per-flow layers do.</summary>
public class FusedConditioningTests
{
    [Theory]
    [InlineData("micro", false)]
    [InlineData("micro", true)]
    [InlineData("tiny", true)]
    public void FusedConditioningMatchesReferenceAndUnfusedInverse(string name, bool fold)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        using var model = ModelFixture.Load(name);
        if (fold) model.FoldWeightNorm();
        var mel = ModelFixture.Batched(ModelFixture.Npy(name, "infer.mel.npy"));
        var z = ModelFixture.Batched(ModelFixture.Npy(name, "infer.eps.npy")) * 0.6;
        var plain = ModelFixture.Floats(model.Inverse(z, mel));
        using var fusedInverse = new FusedConditioningInverse(model);
        var fused = ModelFixture.Floats(fusedInverse.Inverse(z, mel));

        var reference = ModelFixture.Npy(name, "infer.sigma0.6.audio.npy").Data;
        double vsPlain = Fixture.RelativeL2(fused, plain), vsReference = Fixture.RelativeL2(fused, reference);
        Assert.True(vsPlain < 1e-5, $"fused vs per-flow: relative L2 {vsPlain:G3}");
        Assert.True(vsReference < 1e-4, $"fused vs NVIDIA: relative L2 {vsReference:G3}");
    }
}
