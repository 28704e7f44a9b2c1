using WaveFlow.Audio;
using WaveFlow.Core;
using WaveFlow.Core.Serialization;
using WaveFlow.Tests.Core.Serialization;
using WaveFlow.Tests.Support;

namespace WaveFlow.Tests.Audio;

public sealed class MelFileTests : IDisposable
{
    private readonly TempDir _tmp = new();
    public void Dispose() => _tmp.Dispose();
    private string Temp(string ext) => _tmp[$"m{Guid.NewGuid():N}{ext}"];

    private static FloatArray Reference() => NpyFile.Read(Fixture.Path_("micro", "infer.mel.npy"));

    [Fact]
    public void ReadsReferenceNpyMel()
    {
        var reference = Reference();
        var mel = MelFile.Read(Fixture.Path_("micro", "infer.mel.npy"), expectedNMel: 16);
        Assert.Equal(16, mel.Shape[0]);
        Assert.Equal(reference.Data, mel.Data);
    }

    [Fact]
    public void BatchOfOneIsSqueezed()
    {
        var reference = Reference();
        string path = Temp(".npy");
        NpyFile.Write(path, reference.Data, [1, .. reference.Shape]);
        var mel = MelFile.Read(path, 16);
        Assert.Equal(reference.Shape, mel.Shape);
        Assert.Equal(reference.Data, mel.Data);
    }

    [Theory]
    [InlineData(".npy", false)]
    [InlineData(".npy", true)]
    [InlineData(".pt", false)]
    [InlineData(".pt", true)]
    public void WriteThenReadRoundTrips(string ext, bool half)
    {
        var reference = Reference();
        string path = Temp(ext);
        MelFile.Write(path, reference, half);
        var back = MelFile.Read(path, 16);
        Assert.Equal(reference.Shape, back.Shape);
        // Float16 keeps 11 significant bits: relative error at most 2^-11 per value.
        var expected = half ? reference.Data.Select(v => (float)(Half)v).ToArray() : reference.Data;
        Assert.Equal(expected, back.Data);
    }

    [Fact]
    public void WrongMelCountIsNamed()
    {
        var e = Assert.Throws<WaveFlowException>(() => MelFile.Read(Fixture.Path_("micro", "infer.mel.npy"), 80));
        Assert.EndsWith("has 16 mel channels, the model expects 80", e.Message);
        Assert.StartsWith(Fixture.Path_("micro", "infer.mel.npy"), e.Message);
    }

    [Fact]
    public void TransposedMelGetsAHint()
    {
        string path = Temp(".npy");
        NpyFile.Write(path, new float[80 * 3], [3, 80]);
        var e = Assert.Throws<WaveFlowException>(() => MelFile.Read(path, 80));
        Assert.Contains("transposed", e.Message);
    }

    [Fact]
    public void NaNAndInfNameTheFirstFrame()
    {
        var data = new float[4 * 10];
        data[3 * 10 + 2] = float.NaN;   // channel 3, frame 2
        data[0 * 10 + 7] = float.PositiveInfinity;
        data[1 * 10 + 5] = float.NegativeInfinity;
        string path = Temp(".npy");
        NpyFile.Write(path, data, [4, 10]);
        var e = Assert.Throws<WaveFlowException>(() => MelFile.Read(path));
        Assert.Contains("NaN (first at frame 2, mel channel 3)", e.Message);
        data[3 * 10 + 2] = 0;
        NpyFile.Write(path, data, [4, 10]);
        e = Assert.Throws<WaveFlowException>(() => MelFile.Read(path));
        Assert.Contains("-inf (first at frame 5, mel channel 1)", e.Message);
    }

    [Fact]
    public void MissingEmptyWrongRankAndNoFramesAreRejected()
    {
        string missing = Temp(".npy");
        Assert.Contains("file not found", Assert.Throws<WaveFlowException>(() => MelFile.Read(missing)).Message);
        string empty = Temp(".pt");
        File.WriteAllBytes(empty, []);
        Assert.Contains("empty file", Assert.Throws<WaveFlowException>(() => MelFile.Read(empty)).Message);
        string rank1 = Temp(".npy");
        NpyFile.Write(rank1, new float[5], [5]);
        Assert.Contains("rank 1", Assert.Throws<WaveFlowException>(() => MelFile.Read(rank1)).Message);
        string batch = Temp(".npy");
        NpyFile.Write(batch, new float[2 * 4 * 3], [2, 4, 3]);
        Assert.Contains("batch of 2", Assert.Throws<WaveFlowException>(() => MelFile.Read(batch)).Message);
        string noFrames = Temp(".npy");
        NpyFile.Write(noFrames, [], [80, 0]);
        Assert.Contains("T = 0", Assert.Throws<WaveFlowException>(() => MelFile.Read(noFrames, 80)).Message);
    }

    [Fact]
    public void TorchStateDictIsNotAMel()
    {
        // A real torch.save file that holds a dict, not a tensor.
        var e = Assert.Throws<WaveFlowException>(() => MelFile.Read(Fixture.Path_("micro", "state_dict.pt")));
        Assert.Contains("not a tensor", e.Message);
    }

    [Fact]
    public void TensorSavedByTorchInsideARealArchiveReadsAsAMel()
    {
        // Take one real torch-written storage (micro/state_dict.pt, upsample.bias [16]) and view it as a
        // [1, 16, 1] mel through a hand-written pickle: the bytes on disk are torch's own.
        using var zip = System.IO.Compression.ZipFile.OpenRead(Fixture.Path_("micro", "state_dict.pt"));
        using var ms = new MemoryStream();
        using (var s = zip.GetEntry("state_dict/data/1")!.Open()) s.CopyTo(ms);
        string path = Temp(".pt");
        PickleBytes.WriteTorchZip(path, PickleBytes.Pickle(PickleBytes.Tensor("FloatStorage", "1", 16, 0, [1, 16, 1], [16, 1, 1])), ("1", ms.ToArray()));
        var mel = MelFile.Read(path, 16);
        var bias = Safetensors.Read(Fixture.Path_("micro", "weights.safetensors")).Tensors["upsample.bias"];
        Assert.Equal(new long[] { 16, 1 }, mel.Shape);
        Assert.Equal(bias.Data, mel.Data);
    }
}
