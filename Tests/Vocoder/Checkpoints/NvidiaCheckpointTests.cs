using WaveFlow.Core;
using WaveFlow.Core.Serialization;
using WaveFlow.Core.Serialization.PyTorch;
using WaveFlow.Tests.Core.Serialization;
using WaveFlow.Tests.Support;
using WaveFlow.Vocoder;
using WaveFlow.Vocoder.Checkpoints;

namespace WaveFlow.Tests.Vocoder.Checkpoints;

public sealed class NvidiaCheckpointTests : IDisposable
{
    private readonly TempDir _tmp = new();
    public void Dispose() => _tmp.Dispose();
    private string Temp(string ext) => _tmp[$"wfck{Guid.NewGuid():N}{ext}"];
    private static IReadOnlyDictionary<string, FloatArray> Safetensors_() => Safetensors.Read(Fixture.Path_("micro", "weights.safetensors")).Tensors;

    [Fact]
    public void WholeModelCheckpointStateDictAndSafetensorsAgreeExactly()
    {
        var reference = Safetensors_();
        var whole = NvidiaCheckpoint.Load(Fixture.Path_("micro", "nvidia_checkpoint.pt"));
        var plain = NvidiaCheckpoint.Load(Fixture.Path_("micro", "state_dict.pt"));
        Assert.Equal("nvidia-checkpoint", whole.Kind);
        Assert.Equal(1234L, whole.Iteration);
        Assert.Equal("state-dict", plain.Kind);
        Assert.Null(plain.Iteration);
        foreach (var loaded in new[] { whole.StateDict, plain.StateDict })
        {
            Assert.Equal(reference.Keys.Order(StringComparer.Ordinal), loaded.Keys.Order(StringComparer.Ordinal));
            foreach (var (key, t) in reference)
            {
                Assert.Equal(t.Shape, loaded[key].Shape);
                Assert.Equal(t.Data, loaded[key].Data);
            }
        }
        Assert.Contains("WN.0.start.weight_g", whole.StateDict.Keys);
        Assert.DoesNotContain("WN.0.start.weight", whole.StateDict.Keys); // weight norm kept as g/v
    }

    [Fact]
    public void LegacyCheckpointGivesTodaysKeysWithFusedConditioning()
    {
        var reference = Safetensors_();
        var legacy = NvidiaCheckpoint.Load(Fixture.Path_("micro-legacy", "nvidia_checkpoint_legacy.pt"));
        Assert.Equal("nvidia-checkpoint-legacy", legacy.Kind);
        Assert.True(legacy.AlternatingHalves); // its pickled class source is glow_old.py's (see the parity tests)
        Assert.Equal(99L, legacy.Iteration);
        Assert.Equal(reference.Keys.Order(StringComparer.Ordinal), legacy.StateDict.Keys.Order(StringComparer.Ordinal));
        foreach (var (key, t) in reference) Assert.Equal(t.Shape, legacy.StateDict[key].Shape);
        // Its own weights, not micro's.
        Assert.NotEqual(reference["upsample.weight"].Data, legacy.StateDict["upsample.weight"].Data);
    }

    [Fact]
    public void FusedConditioningFoldsToTheStackedPerLayerWeights()
    {
        // Independent route: the raw per-layer tensors from the unpickled module tree.
        var root = Assert.IsType<PickleDict>(PyTorchFile.Read(Fixture.Path_("micro-legacy", "nvidia_checkpoint_legacy.pt")).Root);
        var wn0 = Child(Child(Assert.IsType<PickleObject>(root["model"]), "WN"), "0");
        var condLayers = Child(wn0, "cond_layers");
        var fused = NvidiaCheckpoint.LoadStateDict(Fixture.Path_("micro-legacy", "nvidia_checkpoint_legacy.pt"));
        var g = fused["WN.0.cond_layer.weight_g"];
        var v = fused["WN.0.cond_layer.weight_v"];
        var folded = WeightNormTensors.Fold(g, v, "WN.0.cond_layer", "test");
        long rowSize = v.Count / v.Shape[0];
        int layers = ((PickleDict)condLayers.Attribute("_modules")!).Count;
        Assert.Equal(layers * Param(Child(condLayers, "0"), "weight_v").Shape[0], v.Shape[0]);
        Assert.Equal(new long[] { v.Shape[0], 1, 1 }, g.Shape);
        long row = 0;
        for (int i = 0; i < layers; i++)
        {
            var layer = Child(condLayers, i.ToString());
            var gi = Param(layer, "weight_g"); var vi = Param(layer, "weight_v"); var bi = Param(layer, "bias");
            for (long o = 0; o < vi.Shape[0]; o++, row++)
            {
                double norm = Math.Sqrt(Enumerable.Range(0, (int)rowSize).Sum(j => (double)vi.Data[o * rowSize + j] * vi.Data[o * rowSize + j]));
                for (long j = 0; j < rowSize; j++)
                    Assert.Equal(gi.Data[o] * vi.Data[o * rowSize + j] / norm, folded.Data[row * rowSize + j], 1e-6);
                Assert.Equal(bi.Data[o], fused["WN.0.cond_layer.bias"].Data[row]);
            }
        }
    }

    [Fact]
    public void GlowOldClassesAreLoadedAndFlaggedAsAlternating()
    {
        // NVIDIA's real checkpoint with its classes renamed to glow_old.* (GLOBAL opcodes are newline-terminated
        // text, so the pickle stays valid): the same tensors, but the glow_old coupling layout.
        using var zip = System.IO.Compression.ZipFile.OpenRead(Fixture.Path_("micro", "nvidia_checkpoint.pt"));
        byte[] Read(string name) { using var s = zip.GetEntry(name)!.Open(); using var m = new MemoryStream(); s.CopyTo(m); return m.ToArray(); }
        var pickle = System.Text.Encoding.Latin1.GetString(Read("nvidia_checkpoint/data.pkl")).Replace("cglow\n", "cglow_old\n");
        var storages = zip.Entries.Where(e => e.FullName.StartsWith("nvidia_checkpoint/data/"))
            .Select(e => (e.FullName["nvidia_checkpoint/data/".Length..], Read(e.FullName))).ToArray();
        string path = Temp(".pt");
        PickleBytes.WriteTorchZip(path, System.Text.Encoding.Latin1.GetBytes(pickle), storages);
        var old = NvidiaCheckpoint.Load(path);
        File.Delete(path);
        Assert.True(old.AlternatingHalves);
        var reference = NvidiaCheckpoint.LoadStateDict(Fixture.Path_("micro", "nvidia_checkpoint.pt"));
        Assert.Equal(reference.Keys.Order(StringComparer.Ordinal), old.StateDict.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(reference["WN.2.cond_layer.weight_v"].Data, old.StateDict["WN.2.cond_layer.weight_v"].Data);
    }

    [Fact]
    public void WeightNormFoldOfAKnownVector()
    {
        // g = 2, v = (3, 4): ||v|| = 5, w = 2·(3, 4)/5.
        var w = WeightNormTensors.Fold(new FloatArray([2f], [1, 1, 1]), new FloatArray([3f, 4f], [1, 2, 1]), "x", "test");
        Assert.Equal(new[] { 1.2f, 1.6f }, w.Data);
        Assert.Equal(new[] { 5f }, WeightNormTensors.RowNorms(new FloatArray([3f, 4f], [1, 2, 1])).Data);
    }

    [Fact]
    public void DataParallelPrefixIsRemoved()
    {
        string path = Temp(".pt");
        var prefixed = Safetensors_().Select(kv => new KeyValuePair<string, FloatArray>("module." + kv.Key, kv.Value)).ToList();
        TorchZipWriter.WriteStateDict(path, prefixed);
        var loaded = NvidiaCheckpoint.LoadStateDict(path);
        Assert.Equal(Safetensors_()["upsample.weight"].Data, loaded["upsample.weight"].Data);
        File.Delete(path);
    }

    [Fact]
    public void OtherFilesAreRejectedWithOneLineNamingTheFile()
    {
        string tensor = Temp(".pt"), other = Temp(".pt"), mel = Fixture.Path_("micro", "infer.mel.npy");
        TorchZipWriter.WriteTensor(tensor, new FloatArray([1, 2, 3, 4], [2, 2]));
        TorchZipWriter.WriteStateDict(other, [new("encoder.weight", new FloatArray([1, 2], [2]))]);
        foreach (var (path, expected) in new[] { (tensor, "single tensor"), (other, "not a WaveGlow state dict"), (mel, "not a torch.save file") })
        {
            var e = Assert.Throws<WaveFlowException>(() => NvidiaCheckpoint.Load(path));
            Assert.StartsWith(path, e.Message);
            Assert.Contains(expected, e.Message);
            Assert.DoesNotContain('\n', e.Message);
        }
        File.Delete(tensor);
        File.Delete(other);
    }

    [Fact]
    public void AModelOfAnotherClassIsRefusedByTheAllowList()
    {
        // {"model": tacotron2.model.Tacotron2()} — the class is not on the allow-list.
        string path = Temp(".pt");
        byte[] pickle = [0x80, 2, (byte)'}', (byte)'(', .. PickleBytes.Str("model"),
            .. PickleBytes.Global("model", "Tacotron2"), (byte)')', 0x81, (byte)'u', (byte)'.'];
        PickleBytes.WriteTorchZip(path, pickle);
        var e = Assert.Throws<WaveFlowException>(() => NvidiaCheckpoint.Load(path));
        Assert.Contains("model.Tacotron2", e.Message);
        File.Delete(path);
    }

    private static PickleObject Child(PickleObject module, string name) =>
        Assert.IsType<PickleObject>(((PickleDict)module.Attribute("_modules")!)[name]);

    private static FloatArray Param(PickleObject module, string name) =>
        Assert.IsType<FloatArray>(((PickleDict)module.Attribute("_parameters")!)[name]);
}
