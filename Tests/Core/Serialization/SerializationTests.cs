using WaveFlow.Core;
using WaveFlow.Core.Serialization;
using WaveFlow.Tests.Support;
using WaveFlow.Vocoder;

namespace WaveFlow.Tests.Core.Serialization;

public class SerializationTests
{
    [Fact]
    public void ReadsReferenceNpyAndSafetensorsWithExpectedShapes()
    {
        var z = NpyFile.Read(Fixture.Path_("micro", "forward.z.npy"));
        Assert.Equal(new long[] { 8, 2000 }, z.Shape);
        var weights = Safetensors.Read(Fixture.Path_("micro", "weights.safetensors"));
        Assert.Equal(new long[] { 16, 16, 1024 }, weights.Tensors["upsample.weight"].Shape);
        Assert.True(weights.Tensors.ContainsKey("WN.0.cond_layer.weight_g"));
    }

    [Fact]
    public void NpyRoundTripsFloat32AndFloat16()
    {
        using var tmp = new TempDir();
        float[] values = [0.5f, -1.25f, 3f, 1024f, 0f, -0.125f];
        foreach (bool half in new[] { false, true })
        {
            var path = Path.Combine(tmp.Path, $"x{half}.npy");
            NpyFile.Write(path, values, [2, 3], half);
            var back = NpyFile.Read(path);
            Assert.Equal(new long[] { 2, 3 }, back.Shape);
            Assert.Equal(values, back.Data);
        }
    }

    /// <summary>A .npy file built by hand from the format's specification (version 1.0).</summary>
    private static byte[] Npy(string descr, bool fortran, string shape, byte[] payload)
    {
        string header = $"{{'descr': '{descr}', 'fortran_order': {(fortran ? "True" : "False")}, 'shape': {shape}, }}";
        header = header.PadRight((10 + header.Length + 1 + 63) / 64 * 64 - 10 - 1) + "\n";
        return [0x93, .. "NUMPY"u8, 1, 0, (byte)header.Length, (byte)(header.Length >> 8), .. System.Text.Encoding.ASCII.GetBytes(header), .. payload];
    }

    [Fact]
    public void NpyReadsFloat64BigEndianAndFortranOrder()
    {
        using var tmp = new TempDir();
        // The 2×3 matrix [[1, 2, 3], [4, 5, 6]] (C order 1..6; Fortran order 1, 4, 2, 5, 3, 6).
        double[] cOrder = [1, 2, 3, 4, 5, 6.25], fOrder = [1, 4, 2, 5, 3, 6.25];
        byte[] Le8(double[] v) => v.SelectMany(BitConverter.GetBytes).ToArray();
        byte[] Be8(double[] v) => v.SelectMany(x => BitConverter.GetBytes(x).Reverse()).ToArray();
        byte[] Be4(double[] v) => v.SelectMany(x => BitConverter.GetBytes((float)x).Reverse()).ToArray();
        var cases = new (string Name, byte[] Bytes)[]
        {
            ("f8", Npy("<f8", false, "(2, 3)", Le8(cOrder))),
            ("f8-big", Npy(">f8", false, "(2, 3)", Be8(cOrder))),
            ("f4-big", Npy(">f4", false, "(2, 3)", Be4(cOrder))),
            ("f8-fortran", Npy("<f8", true, "(2, 3)", Le8(fOrder))),
        };
        foreach (var (name, bytes) in cases)
        {
            var path = Path.Combine(tmp.Path, name + ".npy");
            File.WriteAllBytes(path, bytes);
            var a = NpyFile.Read(path);
            Assert.Equal(new long[] { 2, 3 }, a.Shape);
            Assert.Equal(new float[] { 1, 2, 3, 4, 5, 6.25f }, a.Data);
        }
        // A 3-d Fortran array: element [i, j, k] of shape (2, 2, 3) sits at i + 2j + 4k.
        var f3 = Enumerable.Range(0, 12).Select(o => (double)(o % 2 * 100 + o / 2 % 2 * 10 + o / 4)).ToArray();   // value ijk at its Fortran offset
        var path3 = Path.Combine(tmp.Path, "f3.npy");
        File.WriteAllBytes(path3, Npy("<f8", true, "(2, 2, 3)", Le8(f3)));
        Assert.Equal(new float[] { 0, 1, 2, 10, 11, 12, 100, 101, 102, 110, 111, 112 }, NpyFile.Read(path3).Data);

        var intPath = Path.Combine(tmp.Path, "int.npy");
        File.WriteAllBytes(intPath, Npy("<i8", false, "(1,)", BitConverter.GetBytes(7L)));
        var e = Assert.Throws<WaveFlowException>(() => NpyFile.Read(intPath));
        Assert.StartsWith(intPath, e.Message);
        Assert.Contains("dtype <i8", e.Message);
    }

    [Fact]
    public void TruncatedNpyNamesTheFile()
    {
        using var tmp = new TempDir();
        var path = tmp["trunc.npy"];
        var bytes = File.ReadAllBytes(Fixture.Path_("micro", "forward.z.npy"));
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
        var e = Assert.Throws<WaveFlowException>(() => NpyFile.Read(path));
        Assert.StartsWith(path, e.Message);
        Assert.Contains("truncated", e.Message);
    }

    [Fact]
    public void SafetensorsRoundTripsWithMetadata()
    {
        using var tmp = new TempDir();
        var path = tmp["st.safetensors"];
        var tensors = new Dictionary<string, FloatArray> { ["a.b"] = new([1, 2, 3, 4, 5, 6], [3, 2]), ["c"] = new([7], [1]) };
        Safetensors.Write(path, tensors, new Dictionary<string, string> { ["format"] = "waveflow" });
        var back = Safetensors.Read(path);
        Assert.Equal("waveflow", back.Metadata["format"]);
        Assert.Equal(tensors["a.b"].Data, back.Tensors["a.b"].Data);
        Assert.Equal(new long[] { 3, 2 }, back.Tensors["a.b"].Shape);
    }
}
