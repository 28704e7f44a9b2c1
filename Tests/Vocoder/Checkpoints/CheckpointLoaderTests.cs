using TorchSharp;
using WaveFlow.Core;
using WaveFlow.Core.Serialization;
using WaveFlow.Tests.Support;
using WaveFlow.Vocoder;
using WaveFlow.Vocoder.Checkpoints;
using static TorchSharp.torch;

namespace WaveFlow.Tests.Vocoder.Checkpoints;

/// <summary>Every checkpoint kind loads into a model that reproduces NVIDIA's reference audio.</summary>
public class CheckpointLoaderTests
{
    /// <summary>Relative L2 error of inverse(0.6·eps) against the fixture's reference audio.</summary>
    private static double InferError(LoadedModel loaded, string fixture)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var mel = ModelFixture.Batched(ModelFixture.Npy(fixture, "infer.mel.npy"));
        var eps = ModelFixture.Batched(ModelFixture.Npy(fixture, "infer.eps.npy"));
        var audio = loaded.Model.Inverse(eps * 0.6, mel);
        return Fixture.RelativeL2(ModelFixture.Floats(audio), ModelFixture.Npy(fixture, "infer.sigma0.6.audio.npy").Data);
    }

    [Theory]
    [InlineData("micro", "nvidia_checkpoint.pt", "nvidia-checkpoint", 1234L)]
    [InlineData("micro", "state_dict.pt", "state-dict", 0L)]
    [InlineData("micro", "weights.safetensors", "safetensors", 0L)]
    public void NvidiaCheckpointsLoadWithInferredConfigAndMatchReference(string fixture, string file, string kind, long step)
    {
        var loaded = CheckpointLoader.Load(Fixture.Path_(fixture, file), CPU);
        using var model = loaded.Model;
        Assert.Equal(kind, loaded.Kind);
        if (step >= 0) Assert.Equal(step, loaded.Step);
        Assert.Equal(ModelFixture.Options("micro"), loaded.Options);
        double err = InferError(loaded, fixture);
        Assert.True(err < 1e-4, $"{fixture}/{file}: relative L2 error {err:G3}");
    }

    [Fact]
    public void PlainSafetensorsLoadWithConfigFile()
    {
        var loaded = CheckpointLoader.Load(ModelFixture.WeightsPath("tiny"), CPU, Fixture.Path_("tiny", "config.json"));
        using var model = loaded.Model;
        Assert.Equal(80, loaded.Mel.NMelChannels);
        Assert.Equal(ModelFixture.Options("tiny"), loaded.Options);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void OurCheckpointRoundTripsWithoutConfig(bool fold)
    {
        using var tmp = new TempDir();
        using var original = ModelFixture.Load("micro");
        if (fold) original.FoldWeightNorm();
        string path = Path.Combine(tmp.Path, "ck.safetensors");
        WaveFlowCheckpoint.Save(path, original, original.Options, original.Mel, 4321, new Dictionary<string, string> { ["note"] = "x" });
        var loaded = CheckpointLoader.Load(path, CPU);
        using var model = loaded.Model;
        Assert.Equal(("waveflow", 4321L), (loaded.Kind, loaded.Step));
        Assert.Equal(original.Options, loaded.Options);
        Assert.Equal(original.Mel, loaded.Mel);
        Assert.Equal("x", Safetensors.Read(path).Metadata["note"]);
        double err = InferError(loaded, "micro");
        Assert.True(err < 1e-4, $"reloaded (fold {fold}): relative L2 error {err:G3}");

        // float16 storage: half the bytes, and the micro weights (an 8-bit grid) survive exactly.
        string halfPath = Path.Combine(tmp.Path, "ck16.safetensors");
        WaveFlowCheckpoint.Save(halfPath, original, original.Options, original.Mel, 1, half: true);
        Assert.True(new FileInfo(halfPath).Length < 0.6 * new FileInfo(path).Length);
        var halfLoaded = CheckpointLoader.Load(halfPath, CPU);
        using var halfModel = halfLoaded.Model;
        double halfErr = InferError(halfLoaded, "micro");
        Assert.True(halfErr < 1e-3, $"float16 checkpoint: relative L2 error {halfErr:G3}");
    }

    [Fact]
    public void MismatchedCheckpointNamesTheFirstKey()
    {
        // tiny's weights (80 mels, 32 channels) with micro's config (16 mels, 16 channels).
        var e = Assert.Throws<WaveFlowException>(() =>
            CheckpointLoader.Load(ModelFixture.WeightsPath("tiny"), CPU, Fixture.Path_("micro", "config.json")));
        Assert.Contains("tensor upsample.weight has shape [80, 80, 1024], the model expects [16, 16, 1024]", e.Message);
        Assert.DoesNotContain('\n', e.Message);

        using var tmp = new TempDir();
        var tensors = new Dictionary<string, FloatArray>(Safetensors.Read(ModelFixture.WeightsPath("micro")).Tensors);
        tensors.Remove("WN.1.end.bias");
        string path = Path.Combine(tmp.Path, "partial.safetensors");
        Safetensors.Write(path, tensors);
        e = Assert.Throws<WaveFlowException>(() => CheckpointLoader.Load(path, CPU, Fixture.Path_("micro", "config.json")));
        Assert.Equal($"{path}: missing tensor WN.1.end.bias (the model expects shape [8])", e.Message);

        string notCk = Path.Combine(tmp.Path, "noise.bin");
        File.WriteAllBytes(notCk, new byte[100]);
        e = Assert.Throws<WaveFlowException>(() => CheckpointLoader.Load(notCk, CPU));
        Assert.StartsWith(notCk, e.Message);
    }
}
