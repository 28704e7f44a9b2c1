using TorchSharp;
using WaveFlow.Tests.Support;
using WaveFlow.Vocoder;
using static TorchSharp.torch;

namespace WaveFlow.Tests.Vocoder;

/// <summary>
/// Synthesis through <see cref="WN.Infer"/> (preallocated buffers, per-layer conditioning, skip
/// biases folded into `end`) is the same function as the plain forward: against it on every flow
/// variant, and against NVIDIA's audio on the fixture models.
/// </summary>
public class InPlaceInferenceTests
{
    /// <summary>The property configs plus the edge cases of the in-place path: kernel 5, a dilation
    /// longer than the utterance, one layer, glow_old's alternating halves.</summary>
    public static IEnumerable<object[]> Configs()
    {
        foreach (var c in FlowPropertyTests.RandomConfigs()) yield return c;
        var edge = new WaveGlowOptions { NMelChannels = 3, NFlows = 3, NGroup = 4, NEarlyEvery = 2, NEarlySize = 0, WN = new WNOptions(4, 6, 5) };
        yield return [edge.ToJson(), 11];
        yield return [(edge with { WN = new WNOptions(1, 4, 3), AlternatingHalves = true }).ToJson(), 12];
    }

    [Theory]
    [MemberData(nameof(Configs))]
    public void InPlaceEqualsPlainForward(string json, int seed)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        using var model = FlowPropertyTests.Build(json, seed);
        int g = model.Options.NGroup;
        // Batch 2 with different mels (each element gets its own workspace); 5 frames × hop 4.
        var mel = randn(2, 3, 5);
        var z = randn(2, g, 5 * 4 / g) * 0.6;
        var plain = model.Inverse(z, mel);
        var inPlace = new WorkspaceInverse(model).Inverse(z, mel);
        double rel = ((inPlace - plain).norm() / plain.norm()).item<float>();
        Assert.True(rel < 1e-5, $"in-place vs plain forward: relative L2 {rel:G3}");
        Assert.True(plain.abs().max().item<float>() > 0.1f);   // a real signal, not two zeros
    }

    [Theory]
    [InlineData("micro", false)]
    [InlineData("micro", true)]
    [InlineData("tiny", true)]
    public void InPlaceMatchesNvidiaAudio(string name, bool fold)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        using var model = ModelFixture.Load(name);
        if (fold) model.FoldWeightNorm();
        var flow = FlowInverse.ForSynthesis(model, foldBudgetBytes: 0);
        Assert.IsType<WorkspaceInverse>(flow);   // synthesis's choice where the phase fold does not fit
        var mel = ModelFixture.Batched(ModelFixture.Npy(name, "infer.mel.npy"));
        var z = ModelFixture.Batched(ModelFixture.Npy(name, "infer.eps.npy")) * 0.6;
        var audio = ModelFixture.Floats(flow.Inverse(z, mel));
        double rel = Fixture.RelativeL2(audio, ModelFixture.Npy(name, "infer.sigma0.6.audio.npy").Data);
        Assert.True(rel < 1e-4, $"in-place vs NVIDIA: relative L2 {rel:G3}");
    }

    [Fact]
    public void WithAutogradTheInverseKeepsItsGraph()
    {
        // The in-place path writes into buffers and has no graph; with autograd on, it must hand
        // the call to the plain forward so that gradients through synthesis still work.
        using var scope = NewDisposeScope();
        using var model = FlowPropertyTests.Build(FlowPropertyTests.RandomConfigs().First()[0].ToString()!, 3);
        int g = model.Options.NGroup;
        var audio = new WorkspaceInverse(model).Inverse(randn(1, g, 5 * 4 / g), randn(1, 3, 5));
        Assert.True(audio.requires_grad);
        audio.sum().backward();
        Assert.Contains(model.parameters(), p => p.grad is { } grad && grad.abs().sum().item<float>() > 0);
    }

    [Fact]
    public void BFloat16InPlaceStaysWithinTwoPercentOfFloat32()
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        using var fp32 = ModelFixture.Load("tiny");
        fp32.FoldWeightNorm();
        using var bf16 = ModelFixture.Load("tiny");
        bf16.FoldWeightNorm();
        bf16.to(ScalarType.BFloat16);
        var mel = ModelFixture.Batched(ModelFixture.Npy("tiny", "infer.mel.npy"));
        var z = ModelFixture.Batched(ModelFixture.Npy("tiny", "infer.eps.npy")) * 0.6;
        var reference = fp32.Inverse(z, mel);
        var low = new WorkspaceInverse(bf16).Inverse(z.to(ScalarType.BFloat16), mel.to(ScalarType.BFloat16)).to(ScalarType.Float32);
        var lowPlain = bf16.Inverse(z.to(ScalarType.BFloat16), mel.to(ScalarType.BFloat16)).to(ScalarType.Float32);
        double rel = ((low - reference).norm() / reference.norm()).item<float>();
        double relPlain = ((lowPlain - reference).norm() / reference.norm()).item<float>();
        Assert.True(rel < 0.02, $"bf16 in-place vs fp32: relative L2 {rel:G3} (plain bf16: {relPlain:G3})");
        Assert.True(rel > 1e-5, "bf16 audio equals fp32's: the model did not run in bfloat16");
    }

    [Trait("Category", "Slow")]
    [Trait("Device", "Cuda")]
    [SkippableFact]
    public void InPlaceEqualsPlainForwardOnCuda()
    {
        // scripts/device-check-mixed-precision.sh runs this on a GPU machine; skipped without one.
        Skip.IfNot(cuda.is_available(), "no CUDA device");
        backends.cuda.matmul.allow_tf32 = false;
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var (model, mel, z, nvidia) = ModelFixture.InferenceCase("tiny", CUDA);
        using var _m = model;
        var inPlace = ModelFixture.Floats(new WorkspaceInverse(model).Inverse(z, mel));
        var plain = ModelFixture.Floats(model.Inverse(z, mel));
        double rel = Fixture.RelativeL2(inPlace, plain);
        Assert.True(rel < 1e-5, $"in-place vs plain forward on CUDA: relative L2 {rel:G3}");
        double vsNvidia = Fixture.RelativeL2(inPlace, nvidia);
        Assert.True(vsNvidia < 1e-4, $"in-place on CUDA vs NVIDIA: relative L2 {vsNvidia:G3}");
    }
}
