using TorchSharp;
using WaveFlow.Audio;
using WaveFlow.Core;
using WaveFlow.Tests.Support;
using WaveFlow.Vocoder;
using static TorchSharp.torch;

namespace WaveFlow.Tests.Vocoder;

/// <summary>
/// Properties every configuration of the flow must have, on small random configs with every
/// parameter perturbed (so no coupling is the identity): exact invertibility, and a log-det
/// equal to log|det J| of the whole map audio → z computed by autograd.
/// </summary>
public class FlowPropertyTests
{
    /// <summary>Small STFT settings so the upsampler stays small: kernel 16, stride 4.</summary>
    internal static readonly MelOptions SmallMel = new() { FilterLength = 16, HopLength = 4, WinLength = 16, NMelChannels = 3, MelFmax = 8000 };

    /// <summary>
    /// Random small configs, one per flow variant: each permutation with each coupling,
    /// prior_scale on every third.
    /// </summary>
    public static IEnumerable<object[]> RandomConfigs()
    {
        var rng = new Random(1234);
        for (int i = 0; i < 8;)
        {
            int group = rng.Next(2) == 0 ? 4 : 8;
            var options = new WaveGlowOptions
                {
                    NMelChannels = 3,
                    NFlows = rng.Next(2, 7),
                    NGroup = group,
                    NEarlyEvery = rng.Next(1, 4),
                    NEarlySize = group == 4 ? rng.Next(0, 2) * 2 : 2,
                    WN = new WNOptions(rng.Next(1, 4), 2 * rng.Next(1, 5), 2 * rng.Next(0, 2) + 1),
                    Coupling = Couplings.All[i % 2],
                    Permutation = Permutations.All[i / 2],
                    PermutationSeed = rng.Next(100),
                    PriorScale = i % 3 == 0,
                };
            if (options.NRemainingChannels < 2) continue;   // drew too many early outputs: draw again
            yield return [options.ToJson(), i++];
        }
    }

    internal static WaveGlow Build(string json, long seed, double perturb = 0.05)
    {
        WaveGlow model;
        using (InitRandom.Seeded(seed))
            model = new WaveGlow(WaveGlowOptions.Parse(json, "test"), SmallMel);
        ModelFixture.Perturb(model, perturb, seed);
        return model;
    }

    [Theory]
    [MemberData(nameof(RandomConfigs))]
    public void InverseOfForwardIsTheIdentity(string json, int seed)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        using var model = Build(json, seed);
        var gen = new Generator((ulong)seed);
        int group = model.Options.NGroup;
        var mel = randn(2, 3, 20, generator: gen);
        var audio = rand(2, group * 10, generator: gen) * 2 - 1;   // (B, T), T ≤ (F−1)·4 + 16
        var (z, _, _) = model.Forward(audio, mel);
        Assert.Equal(new long[] { 2, group, 10 }, z.shape);
        var back = model.Inverse(z, mel);
        double err = (back - audio).abs().max().item<float>();
        Assert.True(err < 1e-5, $"config {json}: max |inverse(forward(x)) − x| = {err:G3}");
    }

    [Theory]
    [MemberData(nameof(RandomConfigs))]
    public void LogDetEqualsAutogradJacobian(string json, int seed)
    {
        using var scope = NewDisposeScope();
        using var model = Build(json, seed);
        model.to(ScalarType.Float64);
        var gen = new Generator((ulong)seed + 99);
        int group = model.Options.NGroup;
        long samples = group * 4;
        var mel = randn(1, 3, 12, dtype: ScalarType.Float64, generator: gen);
        var audio = (rand(1, samples, dtype: ScalarType.Float64, generator: gen) * 2 - 1).requires_grad_(true);
        var (z, logS, logDetW) = model.Forward(audio, mel);
        var zFlat = z.reshape(-1);                                   // (T,) in z's layout

        // The Jacobian dz/dx one row at a time (a backward pass per output).
        var jacobian = zeros(samples, samples, dtype: ScalarType.Float64);
        for (long i = 0; i < samples; i++)
        {
            var row = autograd.grad([zFlat[i]], [audio], retain_graph: true)[0];
            jacobian[i] = row.reshape(-1);
        }
        var (_, logAbsDet) = linalg.slogdet(jacobian);
        double expected = logAbsDet.item<double>();
        double actual = (logS + logDetW).item<double>();
        Assert.True(Math.Abs(actual - expected) < 1e-8 * Math.Max(1, Math.Abs(expected)),
            $"config {json}: flow log-det {actual:G12}, autograd log|det J| {expected:G12}");
    }

    [Fact]
    public void ConfigErrorsNameTheKey()
    {
        var e = Assert.Throws<WaveFlowException>(() => WaveGlowOptions.Parse("""{"waveglow_config": {"n_group": 7}}""", "c.json"));
        Assert.Contains("n_group", e.Message);
        e = Assert.Throws<WaveFlowException>(() => WaveGlowOptions.Parse("""{"n_flows": 4, "WN_config": {"kernel_size": "3"}}""", "c.json"));
        Assert.Contains("WN_config.kernel_size", e.Message);
        e = Assert.Throws<WaveFlowException>(() => WaveGlowOptions.Parse("""{"n_flowz": 4}""", "c.json"));
        Assert.StartsWith("c.json: unknown key n_flowz (known: WN_config, alternating_halves, coupling,", e.Message);
        var micro = ModelFixture.Options("micro");
        Assert.Equal((16, 6, 8, 4, 2, 3, 16, 3), (micro.NMelChannels, micro.NFlows, micro.NGroup, micro.NEarlyEvery, micro.NEarlySize, micro.WN.NLayers, micro.WN.NChannels, micro.WN.KernelSize));
        Assert.Equal(micro, WaveGlowOptions.Parse(micro.ToJson(), "roundtrip"));
    }
}
