using System.IO.Compression;
using System.Text;

namespace WaveFlow.Tests.Core.Serialization;

/// <summary>Hand-assembled pickles and torch-style zip archives for tests (no Python on this machine).</summary>
internal static class PickleBytes
{
    public static byte[] Global(string module, string name) => Encoding.ASCII.GetBytes($"c{module}\n{name}\n");

    public static byte[] Str(string s)
    {
        var b = Encoding.UTF8.GetBytes(s);
        return [(byte)'X', .. BitConverter.GetBytes(b.Length), .. b];
    }

    public static byte[] Int(int v) => [(byte)'J', .. BitConverter.GetBytes(v)];

    public static byte[] Tuple(params int[] values) => [(byte)'(', .. values.SelectMany(Int), (byte)'t'];

    /// <summary>
    /// <c>_rebuild_tensor_v2(('storage', torch.&lt;storageClass&gt;, key, 'cpu', numel), offset, size, stride, False, OrderedDict())</c>.
    /// </summary>
    public static byte[] Tensor(string storageClass, string key, int numel, int offset, int[] size, int[] stride) =>
    [
        .. Global("torch._utils", "_rebuild_tensor_v2"), (byte)'(',
        (byte)'(', .. Str("storage"), .. Global("torch", storageClass), .. Str(key), .. Str("cpu"), .. Int(numel), (byte)'t', (byte)'Q',
        .. Int(offset), .. Tuple(size), .. Tuple(stride), 0x89,
        .. Global("collections", "OrderedDict"), (byte)')', (byte)'R',
        (byte)'t', (byte)'R',
    ];

    public static byte[] Pickle(params byte[][] body) => [0x80, 2, .. body.SelectMany(b => b), (byte)'.'];

    /// <summary>A zip laid out as torch.save lays it out (deflated records are fine for a reader).</summary>
    public static void WriteTorchZip(string path, byte[] pickle, params (string Key, byte[] Data)[] storages)
    {
        using var file = File.Create(path);
        using var zip = new ZipArchive(file, ZipArchiveMode.Create);
        void Add(string name, byte[] data) { using var s = zip.CreateEntry(name).Open(); s.Write(data); }
        Add("archive/data.pkl", pickle);
        Add("archive/byteorder", "little"u8.ToArray());
        foreach (var (key, data) in storages) Add($"archive/data/{key}", data);
        Add("archive/version", "3\n"u8.ToArray());
    }
}
