using WaveFlow.Core;
using WaveFlow.Core.Serialization;
using WaveFlow.Onnx;
using WaveFlow.Tests.Support;
using WaveFlow.Tests.Vocoder;
using WaveFlow.Vocoder;
using WaveFlow.Vocoder.Checkpoints;
using static TorchSharp.torch;

namespace WaveFlow.Tests.Onnx;

/// <summary>
/// The exported graph in ONNX Runtime against the libtorch path and NVIDIA's own audio, for the
/// same mel and noise: NVIDIA's fixtures (micro, tiny, in every checkpoint format the fixtures
/// hold), the shipped model, every flow variant; float16 exports within 1 %.
/// </summary>
public class OnnxParityTests
{
    [Theory]
    [InlineData("micro")]
    [InlineData("tiny")]
    public void Fp32ExportMatchesLibtorchAndNvidiaAudio(string name)
    {
        using var tmp = new TempDir();
        using var model = ModelFixture.Load(name);
        var mel = ModelFixture.Npy(name, "infer.mel.npy");
        var eps = ModelFixture.Npy(name, "infer.eps.npy");
        var libtorch = OnnxTestModels.Libtorch(model, mel, eps, 0.6f);
        var onnx = OnnxTestModels.Onnx(OnnxTestModels.Export(model, tmp), mel, eps, 0.6f);
        var nvidia = ModelFixture.Npy(name, "infer.sigma0.6.audio.npy").Data;
        double vsLibtorch = Fixture.RelativeL2(onnx, libtorch), vsNvidia = Fixture.RelativeL2(onnx, nvidia);
        Assert.True(vsLibtorch <= 1e-4, $"{name}: ONNX vs libtorch relative L2 {vsLibtorch:G3}");
        Assert.True(vsNvidia <= 1e-4, $"{name}: ONNX vs NVIDIA's infer relative L2 {vsNvidia:G3}");
    }

    [Theory]
    [InlineData("micro")]
    [InlineData("tiny")]
    public void Fp16ExportIsWithinOnePercentOfFloat32(string name)
    {
        using var tmp = new TempDir();
        using var model = ModelFixture.Load(name);
        var mel = ModelFixture.Npy(name, "infer.mel.npy");
        var eps = ModelFixture.Npy(name, "infer.eps.npy");
        var nvidia = ModelFixture.Npy(name, "infer.sigma0.6.audio.npy").Data;
        var half = OnnxTestModels.Onnx(OnnxTestModels.Export(model, tmp, half: true), mel, eps, 0.6f);
        double err = Fixture.RelativeL2(half, nvidia);
        Assert.True(err <= 1e-2, $"{name}: fp16 ONNX vs NVIDIA's float32 infer relative L2 {err:G3}");
        Assert.True(err > 1e-6, $"{name}: fp16 ONNX equals float32 to {err:G3}: the graph did not compute in float16");
    }

    [Fact]
    public void NvidiaCheckpointFormatsExportToTheSameAudio()
    {
        // The micro fixture as NVIDIA's torch.save'd model and as a state dict, through the loader the CLI uses.
        using var tmp = new TempDir();
        var mel = ModelFixture.Npy("micro", "infer.mel.npy");
        var eps = ModelFixture.Npy("micro", "infer.eps.npy");
        var nvidia = ModelFixture.Npy("micro", "infer.sigma0.6.audio.npy").Data;
        foreach (var file in new[] { "nvidia_checkpoint.pt", "state_dict.pt" })
        {
            var loaded = CheckpointLoader.Load(Fixture.Path_("micro", file), CPU, Fixture.Path_("micro", "config.json"));
            using var model = loaded.Model;
            var proto = global::WaveFlow.Onnx.Export.WaveGlowOnnxExporter.Build(loaded, half: false);
            var onnx = OnnxTestModels.Onnx(OnnxTestModels.Write(proto, tmp[file + ".onnx"]), mel, eps, 0.6f);
            double err = Fixture.RelativeL2(onnx, nvidia);
            Assert.True(err <= 1e-4, $"{file}: ONNX vs NVIDIA's infer relative L2 {err:G3}");
        }
    }

    [Theory]
    [MemberData(nameof(FlowPropertyTests.RandomConfigs), MemberType = typeof(FlowPropertyTests))]
    public void EveryFlowVariantExportsToTheSameFunction(string json, int seed)
    {
        using var tmp = new TempDir();
        var options = WaveGlowOptions.Parse(json, "test");
        using var model = OnnxTestModels.Random(options, seed);
        var mel = OnnxTestModels.Mel(options.NMelChannels, 37, seed);
        var eps = OnnxTestModels.Eps(options.NGroup, 37, model.Mel.HopLength, seed + 1);
        var libtorch = OnnxTestModels.Libtorch(model, mel, eps, 0.8f);
        var onnx = OnnxTestModels.Onnx(OnnxTestModels.Export(model, tmp), mel, eps, 0.8f);
        double err = Fixture.RelativeL2(onnx, libtorch);
        Assert.True(err <= 1e-4, $"{options.Coupling}/{options.Permutation}/prior {options.PriorScale}: ONNX vs libtorch relative L2 {err:G3}");
    }

    [Fact]
    public void AlternatingHalvesExportToTheSameFunction()
    {
        using var tmp = new TempDir();
        var options = new WaveGlowOptions { NMelChannels = 5, NFlows = 5, NGroup = 8, NEarlyEvery = 2, NEarlySize = 2, WN = new WNOptions(2, 6, 3), AlternatingHalves = true };
        using var model = OnnxTestModels.Random(options, 11);
        var mel = OnnxTestModels.Mel(5, 29, 3);
        var eps = OnnxTestModels.Eps(8, 29, model.Mel.HopLength, 4);
        double err = Fixture.RelativeL2(OnnxTestModels.Onnx(OnnxTestModels.Export(model, tmp), mel, eps, 0.6f), OnnxTestModels.Libtorch(model, mel, eps, 0.6f));
        Assert.True(err <= 1e-4, $"alternating halves: ONNX vs libtorch relative L2 {err:G3}");
    }

    [Theory]
    [InlineData(false, 1e-4)]
    [InlineData(true, 1e-2)]
    public void ShippedModelThroughBothVocodersGivesTheSameAudio(bool half, double tolerance)
    {
        // The product path on both sides: WaveFlowVocoder (libtorch, float32) and WaveFlowOnnxVocoder,
        // the same mel file and the same exact noise.
        using var tmp = new TempDir();
        string shipped = Path.Combine(AppContext.BaseDirectory, "samples", "model", "waveflow-small.safetensors");
        string melPath = Path.Combine(AppContext.BaseDirectory, "samples", "mels", "WF002-0069.mel.npy");
        var loaded = CheckpointLoader.Load(shipped, CPU);
        var proto = global::WaveFlow.Onnx.Export.WaveGlowOnnxExporter.Build(loaded, half);
        loaded.Model.Dispose();
        string onnxPath = OnnxTestModels.Write(proto, tmp["shipped.onnx"]);

        var mel = NpyFile.Read(melPath);
        using var vocoder = WaveFlowVocoder.Load(shipped, "cpu", null, VocoderOptions.Default with { ChunkFrames = 0 });
        var eps = OnnxTestModels.Eps(vocoder.Loaded.Options.NGroup, mel.Shape[^1], vocoder.HopLength, 5);
        var libtorch = vocoder.SynthesizeArray(mel, eps);
        using var onnxVocoder = WaveFlowOnnxVocoder.Load(onnxPath, "cpu");
        var onnx = onnxVocoder.SynthesizeArray(mel, OnnxVocoderOptions.Default with { ChunkFrames = 0 }, eps, melPath);
        double err = Fixture.RelativeL2(onnx, libtorch);
        Assert.True(err <= tolerance, $"shipped model {(half ? "fp16" : "fp32")}: ONNX vs libtorch relative L2 {err:G3}");
        Assert.Equal(vocoder.SampleRate, onnxVocoder.SampleRate);
        Assert.Equal(vocoder.MelSettings, onnxVocoder.MelSettings);
    }
}
