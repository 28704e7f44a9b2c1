using TorchSharp;
using WaveFlow.Audio;
using WaveFlow.Tests.Support;
using WaveFlow.Vocoder;
using static TorchSharp.torch;

namespace WaveFlow.Tests.Vocoder;

/// <summary>
/// The mel upsampler folded into each flow's conditioning (<see cref="PhaseFold"/>) is the same
/// function: synthesis with the fold equals synthesis without it on STFT settings with several
/// phases and window lengths, and NVIDIA's own audio on the fixture models.
/// </summary>
public class PhaseFoldTests
{
    /// <summary>n_group, hop, filter_length, kernel_size, WN layers, WN channels, batch: P = hop/n_group phases, J = filter/hop frames.</summary>
    public static IEnumerable<object[]> Settings()
    {
        yield return [4, 8, 32, 3, 3, 6, 2];      // P 2, J 4, batch 2
        yield return [2, 8, 24, 5, 2, 4, 1];      // P 4, J 3, kernel 5
        yield return [8, 8, 8, 3, 2, 4, 1];       // P 1, J 1: nothing to fold over time
        yield return [8, 256, 1024, 3, 2, 8, 1];  // Tacotron2's STFT: P 32, J 4
    }

    private static WaveGlow Build(int group, int hop, int filter, int kernel, int layers, int channels, long seed)
    {
        var mel = new MelOptions { FilterLength = filter, HopLength = hop, WinLength = filter, NMelChannels = 3, MelFmax = 8000 };
        var options = new WaveGlowOptions
        {
            NMelChannels = 3, NFlows = 3, NGroup = group, NEarlyEvery = 2, NEarlySize = group >= 4 ? 2 : 0,
            WN = new WNOptions(layers, channels, kernel),
        };
        WaveGlow model;
        using (InitRandom.Seeded(seed))
            model = new WaveGlow(options, mel);
        ModelFixture.Perturb(model, 0.05, seed);   // non-zero `end` and biases: every term of the fold matters
        model.FoldWeightNorm();
        return model;
    }

    [Theory]
    [MemberData(nameof(Settings))]
    public void FoldedSynthesisEqualsTheUpsamplerThenCondLayer(int group, int hop, int filter, int kernel, int layers, int channels, int batch)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        using var model = Build(group, hop, filter, kernel, layers, channels, seed: hop + kernel);
        using var gen = new Generator(5);
        const long frames = 9;
        var mel = randn([batch, 3, frames], generator: gen);
        var z = randn([batch, group, frames * hop / group], generator: gen) * 0.6;
        var unfolded = new WorkspaceInverse(model);
        var plain = unfolded.Inverse(z, mel);
        var foldedInverse = PhaseFoldedInverse.TryCreate(model, long.MaxValue);
        Assert.NotNull(foldedInverse);
        var folded = foldedInverse.Inverse(z, mel);
        double rel = ((folded - plain).norm() / plain.norm()).item<float>();
        Assert.True(rel < 1e-5, $"folded vs unfolded: relative L2 {rel:G3}");
        Assert.True(plain.abs().max().item<float>() > 0.1f);
        foldedInverse.Dispose();   // the fold leaves the model as it was
        Assert.Equal(0f, (unfolded.Inverse(z, mel) - plain).abs().max().item<float>());
    }

    [Theory]
    [InlineData("micro")]
    [InlineData("tiny")]
    public void FoldedSynthesisMatchesNvidiaAudio(string name)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var (model, mel, z, nvidia) = ModelFixture.InferenceCase(name, CPU);
        using var _m = model;
        using var folded = PhaseFoldedInverse.TryCreate(model, long.MaxValue);
        Assert.NotNull(folded);
        var audio = ModelFixture.Floats(folded.Inverse(z, mel));
        double rel = Fixture.RelativeL2(audio, nvidia);
        Assert.True(rel < 1e-4, $"folded vs NVIDIA: relative L2 {rel:G3}");
    }

    [Fact]
    public void BFloat16FoldStaysWithinTwoPercentOfFloat32()
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        using var model = Build(8, 256, 1024, 3, 3, 16, seed: 4);
        using var gen = new Generator(6);
        var mel = randn([1, 3, 12], generator: gen);
        var z = randn([1, 8, 12 * 256 / 8], generator: gen) * 0.6;
        var fp32 = model.Inverse(z, mel);
        model.to(ScalarType.BFloat16);
        using var folded = PhaseFoldedInverse.TryCreate(model);
        Assert.NotNull(folded);
        var bf16 = folded.Inverse(z.to(ScalarType.BFloat16), mel.to(ScalarType.BFloat16)).to(ScalarType.Float32);
        double rel = ((bf16 - fp32).norm() / fp32.norm()).item<float>();
        Assert.InRange(rel, 1e-5, 0.02);   // bfloat16 really ran, and stayed close
    }

    [Fact]
    public void ALowPrecisionCopyTakesTheFloat32FoldCast()
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        using var model = Build(8, 256, 1024, 3, 2, 8, seed: 9);
        using var copy = Build(8, 256, 1024, 3, 2, 8, seed: 9);   // the same weights
        Assert.IsType<WorkspaceInverse>(FlowInverse.ForCopy(new WorkspaceInverse(model), copy, foldBudgetBytes: 0));   // nothing to take yet
        using var source = PhaseFoldedInverse.TryCreate(model, long.MaxValue);
        Assert.NotNull(source);
        copy.to(ScalarType.BFloat16);
        var cast = FlowInverse.ForCopy(source, copy);
        Assert.IsType<PhaseFoldedInverse>(cast);
        Assert.Same(copy, cast.Model);
        using var gen = new Generator(10);
        var mel = randn([1, 3, 10], generator: gen);
        var z = randn([1, 8, 10 * 256 / 8], generator: gen) * 0.6;
        var fp32 = source.Inverse(z, mel);
        var bf16 = cast.Inverse(z.to(ScalarType.BFloat16), mel.to(ScalarType.BFloat16)).to(ScalarType.Float32);
        double rel = ((bf16 - fp32).norm() / fp32.norm()).item<float>();
        Assert.InRange(rel, 1e-5, 0.02);   // the cast fold was used (in bfloat16) and stays close
        FlowInverse.Release(cast);
        var unfolded = new WorkspaceInverse(copy).Inverse(z.to(ScalarType.BFloat16), mel.to(ScalarType.BFloat16)).to(ScalarType.Float32);
        Assert.True((bf16 - unfolded).abs().max().item<float>() > 0);   // and it was the fold that ran
        Assert.Equal(0f, (source.Inverse(z, mel) - fp32).abs().max().item<float>());   // the source keeps its own
    }

    [Fact]
    public void AFoldMadeBeforeACastIsNotUsed()
    {
        // The fold holds the weights as they were: after model.to(bfloat16) synthesis must not mix
        // float32 fold weights with bfloat16 activations, nor use stale values.
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        using var model = Build(4, 8, 32, 3, 2, 4, seed: 7);
        using var folded = PhaseFoldedInverse.TryCreate(model, long.MaxValue);
        Assert.NotNull(folded);
        model.to(ScalarType.BFloat16);
        using var gen = new Generator(8);
        var mel = randn([1, 3, 6], generator: gen).to(ScalarType.BFloat16);
        var z = (randn([1, 4, 12], generator: gen) * 0.6).to(ScalarType.BFloat16);
        var withStaleFold = folded.Inverse(z, mel);
        Assert.Equal(0f, (new WorkspaceInverse(model).Inverse(z, mel) - withStaleFold).to(ScalarType.Float32).abs().max().item<float>());
    }

    [Fact]
    public void FoldsOnlyWhereTheSettingsAndTheBudgetAllow()
    {
        // hop 4 is not a multiple of n_group 8: a grouped step would straddle two frames' phases.
        using var straddling = Build(8, 4, 16, 3, 1, 4, seed: 1);
        Assert.Null(PhaseFoldedInverse.TryCreate(straddling, long.MaxValue));
        // Within the settings, the budget decides: this model's fold is 3 flows × (P 2 · J 4 · 3 mels · 2C 8 · L 2) floats.
        using var small = Build(4, 8, 32, 3, 2, 4, seed: 2);
        long bytes = PhaseFold.Bytes(small.Options, small.Mel, 4);
        Assert.Equal(3L * 2 * 4 * 3 * 8 * 2 * 4, bytes);
        Assert.Null(PhaseFoldedInverse.TryCreate(small, bytes - 1));
        Assert.IsType<WorkspaceInverse>(FlowInverse.ForSynthesis(small, bytes - 1));
        using var fits = PhaseFoldedInverse.TryCreate(small, bytes);
        Assert.NotNull(fits);
        // The default budget folds the shipped 8 × 4 × 64 model (160 MiB in float32), not NVIDIA's 12 × 8 × 256 (1.9 GiB, 0.9 in bfloat16).
        var mel = new MelOptions();
        var shipped = new WaveGlowOptions { NFlows = 8, WN = new WNOptions(4, 64, 3) };
        Assert.Equal(8L * 32 * 4 * 80 * 512 * 4, PhaseFold.Bytes(shipped, mel, 4));
        Assert.True(PhaseFold.Bytes(shipped, mel, 4) <= PhaseFold.AutoBudgetBytes);
        Assert.True(PhaseFold.Bytes(new WaveGlowOptions(), mel, 2) > PhaseFold.AutoBudgetBytes);
    }

    [Trait("Category", "Slow")]
    [Trait("Device", "Cuda")]
    [SkippableFact]
    public void FoldedEqualsUnfoldedOnCuda()
    {
        // scripts/device-check-mixed-precision.sh runs this on a GPU machine; skipped without one.
        Skip.IfNot(cuda.is_available(), "no CUDA device");
        backends.cuda.matmul.allow_tf32 = false;
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var (model, mel, z, nvidia) = ModelFixture.InferenceCase("tiny", CUDA);
        using var _m = model;
        var plain = ModelFixture.Floats(new WorkspaceInverse(model).Inverse(z, mel));
        using var foldedInverse = PhaseFoldedInverse.TryCreate(model, long.MaxValue);   // made on the GPU, from the weights there
        Assert.NotNull(foldedInverse);
        var folded = ModelFixture.Floats(foldedInverse.Inverse(z, mel));
        double rel = Fixture.RelativeL2(folded, plain);
        Assert.True(rel < 1e-5, $"folded vs unfolded on CUDA: relative L2 {rel:G3}");
        double vsNvidia = Fixture.RelativeL2(folded, nvidia);
        Assert.True(vsNvidia < 1e-4, $"folded on CUDA vs NVIDIA: relative L2 {vsNvidia:G3}");
    }
}
