using WaveFlow.Core;
using WaveFlow.Core.Imaging;
using WaveFlow.Core.Serialization;
using WaveFlow.Core.Serialization.PyTorch;
using WaveFlow.Tests.Support;

namespace WaveFlow.Tests.Core.Serialization;

public sealed class PyTorchFileTests : IDisposable
{
    private readonly TempDir _tmp = new();
    public void Dispose() => _tmp.Dispose();
    private string TempPath(string ext) => _tmp[$"wf{Guid.NewGuid():N}{ext}"];

    [Fact]
    public void TorchWrittenStateDictEqualsTheSafetensorsWeights()
    {
        var contents = PyTorchFile.Read(Fixture.Path_("micro", "state_dict.pt"));
        Assert.False(contents.Legacy);
        var dict = Assert.IsType<PickleDict>(contents.Root);
        Assert.Equal("collections.OrderedDict", dict.ClassName);
        var reference = Safetensors.Read(Fixture.Path_("micro", "weights.safetensors")).Tensors;
        Assert.Equal(reference.Keys.Order(), dict.Keys.Cast<string>().Order());
        foreach (var (key, value) in dict)
        {
            var t = Assert.IsType<FloatArray>(value);
            Assert.Equal(reference[(string)key].Shape, t.Shape);
            Assert.Equal(reference[(string)key].Data, t.Data);
        }
        // torch.save keeps the module order: the upsampler comes first.
        Assert.Equal("upsample.weight", dict.Keys.First());
    }

    [Fact]
    public void ForbiddenGlobalIsRefusedBeforeAnythingRuns()
    {
        // os.system("touch <marker>"): if anything were executed, the marker would appear.
        string marker = TempPath(".marker");
        byte[] evil = PickleBytes.Pickle(PickleBytes.Global("os", "system"), PickleBytes.Str($"touch {marker}"), [0x85, (byte)'R']);
        string zipPath = TempPath(".pt"), rawPath = TempPath(".pt");
        PickleBytes.WriteTorchZip(zipPath, evil);
        File.WriteAllBytes(rawPath, evil);
        foreach (var path in new[] { zipPath, rawPath })
        {
            var e = Assert.Throws<WaveFlowException>(() => PyTorchFile.Read(path));
            Assert.StartsWith(path, e.Message);
            Assert.Contains("os.system", e.Message);
            Assert.DoesNotContain('\n', e.Message);
            File.Delete(path);
        }
        Assert.False(File.Exists(marker));
    }

    [Fact]
    public void AllowedGlobalIsStillNotCallableUnlessItIsData()
    {
        // A storage class is allowed as a type tag, but calling it is refused.
        string path = TempPath(".pt");
        PickleBytes.WriteTorchZip(path, PickleBytes.Pickle(PickleBytes.Global("torch", "FloatStorage"), [(byte)')', (byte)'R']));
        var e = Assert.Throws<WaveFlowException>(() => PyTorchFile.Read(path));
        Assert.Contains("torch.FloatStorage", e.Message);
        File.Delete(path);
    }

    [Fact]
    public void OldTorchBackendAttributeLoadsAsNone()
    {
        // PyTorch 0.4–1.1 modules pickled `_backend` as a call of torch.nn.backends.thnn._get_thnn_function_backend().
        string path = TempPath(".pt");
        byte[] pickle = PickleBytes.Pickle(
            PickleBytes.Global("torch.nn.modules.conv", "Conv1d"), [(byte)')', 0x81, (byte)'}', (byte)'('],
            PickleBytes.Str("_backend"), PickleBytes.Global("torch.nn.backends.thnn", "_get_thnn_function_backend"), [(byte)')', (byte)'R'],
            PickleBytes.Str("n"), PickleBytes.Int(7), [(byte)'u', (byte)'b']);
        PickleBytes.WriteTorchZip(path, pickle);
        var conv = Assert.IsType<PickleObject>(PyTorchFile.Read(path).Root);
        Assert.Equal("torch.nn.modules.conv.Conv1d", conv.ClassName);
        Assert.Null(conv.Attribute("_backend"));
        Assert.Equal(7L, conv.Attribute("n"));
        File.Delete(path);
    }

    [Fact]
    public void TruncatedZipGivesOneLineNamingTheFile()
    {
        var bytes = File.ReadAllBytes(Fixture.Path_("micro", "state_dict.pt"));
        string path = TempPath(".pt");
        File.WriteAllBytes(path, bytes[..(bytes.Length * 2 / 3)]);
        var e = Assert.Throws<WaveFlowException>(() => PyTorchFile.Read(path));
        Assert.StartsWith(path, e.Message);
        Assert.Contains("truncated", e.Message);
        Assert.DoesNotContain('\n', e.Message);
        File.Delete(path);
    }

    [Fact]
    public void TruncatedLegacyFileGivesOneLineNamingTheFile()
    {
        var bytes = File.ReadAllBytes(Fixture.Path_("micro-legacy", "nvidia_checkpoint_legacy.pt"));
        foreach (int length in new[] { 50, 40_000, bytes.Length - 100 })
        {
            string path = TempPath(".pt");
            File.WriteAllBytes(path, bytes[..length]);
            var e = Assert.Throws<WaveFlowException>(() => PyTorchFile.Read(path));
            Assert.StartsWith(path, e.Message);
            Assert.Contains("truncated", e.Message);
            File.Delete(path);
        }
    }

    [Fact]
    public void StridedViewsWithOffsetsAreGatheredInCOrder()
    {
        // Storage 0..11. A (2, 3) transpose-like view at offset 1 with strides (1, 4):
        // element (i, j) = storage[1 + i + 4j] → [[1, 5, 9], [2, 6, 10]].
        float[] storage = Enumerable.Range(0, 12).Select(i => (float)i).ToArray();
        byte[] f32 = storage.SelectMany(BitConverter.GetBytes).ToArray();
        byte[] f16 = storage.SelectMany(v => BitConverter.GetBytes((Half)v)).ToArray();
        byte[] f64 = storage.SelectMany(v => BitConverter.GetBytes((double)v)).ToArray();
        byte[] bf16 = storage.SelectMany(v => BitConverter.GetBytes((ushort)(BitConverter.SingleToInt32Bits(v) >> 16))).ToArray();
        foreach (var (cls, data) in new[] { ("FloatStorage", f32), ("HalfStorage", f16), ("DoubleStorage", f64), ("BFloat16Storage", bf16) })
        {
            string path = TempPath(".pt");
            PickleBytes.WriteTorchZip(path, PickleBytes.Pickle(PickleBytes.Tensor(cls, "0", 12, 1, [2, 3], [1, 4])), ("0", data));
            var t = PyTorchFile.ReadTensor(path);
            Assert.Equal(new long[] { 2, 3 }, t.Shape);
            Assert.Equal(new float[] { 1, 5, 9, 2, 6, 10 }, t.Data);
            File.Delete(path);
        }
    }

    [Fact]
    public void LegacyTensorThroughAStorageViewReadsTheRightElements()
    {
        // The legacy layout by hand: magic number, protocol 1001, system info, a tensor pickle whose storage is a
        // view (root storage "r" of 12 floats 0..11, view "v" = elements 2..7), the key list, then the storage.
        // Tensor: offset 1 in the view, size (2, 2), stride (1, 2) → element (i, j) = root[3 + i + 2j].
        byte[] magic = [0x80, 2, 0x8a, 10, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19, (byte)'.'];
        byte[] protocol = [0x80, 2, (byte)'M', 0xe9, 0x03, (byte)'.'];
        byte[] info = PickleBytes.Pickle([(byte)'}', (byte)'('], PickleBytes.Str("little_endian"), [0x88, (byte)'u']);
        byte[] tensor = PickleBytes.Pickle(
            PickleBytes.Global("torch._utils", "_rebuild_tensor_v2"), [(byte)'(', (byte)'('],
            PickleBytes.Str("storage"), PickleBytes.Global("torch", "FloatStorage"), PickleBytes.Str("r"), PickleBytes.Str("cpu"),
            PickleBytes.Int(12), [(byte)'('], PickleBytes.Str("v"), PickleBytes.Int(2), PickleBytes.Int(6), [(byte)'t', (byte)'t', (byte)'Q'],
            PickleBytes.Int(1), PickleBytes.Tuple(2, 2), PickleBytes.Tuple(1, 2), [0x89],
            PickleBytes.Global("collections", "OrderedDict"), [(byte)')', (byte)'R', (byte)'t', (byte)'R']);
        byte[] keys = PickleBytes.Pickle([(byte)']'], PickleBytes.Str("r"), [(byte)'a']);
        byte[] storage = [.. BitConverter.GetBytes(12L), .. Enumerable.Range(0, 12).SelectMany(i => BitConverter.GetBytes((float)i))];
        string path = TempPath(".pt");
        File.WriteAllBytes(path, [.. magic, .. protocol, .. info, .. tensor, .. keys, .. storage]);
        var contents = PyTorchFile.Read(path);
        Assert.True(contents.Legacy);
        var t = Assert.IsType<FloatArray>(contents.Root);
        Assert.Equal(new long[] { 2, 2 }, t.Shape);
        Assert.Equal(new float[] { 3, 5, 4, 6 }, t.Data);
        // One byte short of the storage: a one-line error naming the file.
        File.WriteAllBytes(path, [.. magic, .. protocol, .. info, .. tensor, .. keys, .. storage[..^1]]);
        var e = Assert.Throws<WaveFlowException>(() => PyTorchFile.Read(path));
        Assert.StartsWith(path, e.Message);
        Assert.Contains("truncated", e.Message);
        File.Delete(path);
    }

    [Fact]
    public void ViewReachingPastItsStorageIsRejected()
    {
        string path = TempPath(".pt");
        byte[] data = new byte[4 * 4];
        PickleBytes.WriteTorchZip(path, PickleBytes.Pickle(PickleBytes.Tensor("FloatStorage", "0", 4, 2, [2, 2], [2, 1])), ("0", data));
        var e = Assert.Throws<WaveFlowException>(() => PyTorchFile.ReadTensor(path));
        Assert.StartsWith(path, e.Message);
        File.Delete(path);
    }

    [Fact]
    public void WriterRoundTripsTensorsAndStateDicts()
    {
        var weights = Safetensors.Read(Fixture.Path_("micro", "weights.safetensors")).Tensors;
        var list = weights.OrderBy(kv => kv.Key, StringComparer.Ordinal).ToList();
        string path = TempPath(".pt");
        TorchZipWriter.WriteStateDict(path, list);
        var back = Assert.IsType<PickleDict>(PyTorchFile.Read(path).Root);
        Assert.Equal(list.Select(kv => kv.Key), back.Keys.Cast<string>());
        foreach (var (key, value) in list)
        {
            var t = Assert.IsType<FloatArray>(back[key]);
            Assert.Equal(value.Shape, t.Shape);
            Assert.Equal(value.Data, t.Data);
        }
        // Every record is stored and its data starts on a 64-byte boundary, as torch aligns them.
        var bytes = File.ReadAllBytes(path);
        int records = 0;
        for (int at = 0; BitConverter.ToUInt32(bytes, at) == 0x04034b50; records++)
        {
            Assert.Equal(0, BitConverter.ToUInt16(bytes, at + 8)); // method: stored
            int size = BitConverter.ToInt32(bytes, at + 18);
            int data = at + 30 + BitConverter.ToUInt16(bytes, at + 26) + BitConverter.ToUInt16(bytes, at + 28);
            Assert.Equal(0, data % 64);
            // The local header's CRC-32 (at byte 14) is that of the stored bytes, as zip readers check.
            Assert.Equal(System.IO.Hashing.Crc32.HashToUInt32(bytes.AsSpan(data, size)), BitConverter.ToUInt32(bytes, at + 14));
            at = data + size;
        }
        Assert.Equal(list.Count + 3, records);
        File.Delete(path);
    }

    [Fact]
    public void Crc32MatchesTheStandardCheckValue()
    {
        // The CRC-32/ISO-HDLC check value for "123456789".
        Assert.Equal(0xCBF43926u, TorchZipWriter.Crc32("123456789"u8));
        // 43 bytes: a well-known check value.
        Assert.Equal(0x414FA339u, TorchZipWriter.Crc32("The quick brown fox jumps over the lazy dog"u8));
    }
}
