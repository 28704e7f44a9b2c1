using WaveFlow.Serialization;

namespace WaveFlow.Tests.Serialization;

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
        var dir = Directory.CreateTempSubdirectory();
        float[] values = [0.5f, -1.25f, 3f, 1024f, 0f, -0.125f];
        foreach (bool half in new[] { false, true })
        {
            var path = Path.Combine(dir.FullName, $"x{half}.npy");
            NpyFile.Write(path, values, [2, 3], half);
            var back = NpyFile.Read(path);
            Assert.Equal(new long[] { 2, 3 }, back.Shape);
            Assert.Equal(values, back.Data);
        }
        dir.Delete(true);
    }

    [Fact]
    public void TruncatedNpyNamesTheFile()
    {
        var path = Path.Combine(Path.GetTempPath(), $"trunc{Guid.NewGuid():N}.npy");
        var bytes = File.ReadAllBytes(Fixture.Path_("micro", "forward.z.npy"));
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
        var e = Assert.Throws<WaveFlowException>(() => NpyFile.Read(path));
        Assert.StartsWith(path, e.Message);
        Assert.Contains("truncated", e.Message);
        File.Delete(path);
    }

    [Fact]
    public void SafetensorsRoundTripsWithMetadata()
    {
        var path = Path.Combine(Path.GetTempPath(), $"st{Guid.NewGuid():N}.safetensors");
        var tensors = new Dictionary<string, FloatArray> { ["a.b"] = new([1, 2, 3, 4, 5, 6], [3, 2]), ["c"] = new([7], [1]) };
        Safetensors.Write(path, tensors, new Dictionary<string, string> { ["format"] = "waveflow" });
        var back = Safetensors.Read(path);
        Assert.Equal("waveflow", back.Metadata["format"]);
        Assert.Equal(tensors["a.b"].Data, back.Tensors["a.b"].Data);
        Assert.Equal(new long[] { 3, 2 }, back.Tensors["a.b"].Shape);
        File.Delete(path);
    }
}
