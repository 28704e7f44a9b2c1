using Google.Protobuf;
using WaveFlow.Core;
using WaveFlow.Onnx;
using WaveFlow.Tests.Support;

namespace WaveFlow.Tests.Onnx;

/// <summary>
/// An ONNX file that is not ours, damaged, of a newer format version or with other input names:
/// one line naming the file, exit code 2, from the package and from <c>waveflow synthesize</c>.
/// </summary>
public class OnnxBadFileTests
{
    private static byte[] MicroModel(Action<global::WaveFlow.Onnx.Export.Proto.ModelProto>? change = null)
    {
        using var model = ModelFixture.Load("micro");
        var proto = OnnxTestModels.Build(model);
        change?.Invoke(proto);
        return proto.ToByteArray();
    }

    public static IEnumerable<object[]> BadFiles()
    {
        var good = MicroModel();
        yield return ["truncated", good[..(good.Length / 2)], "not a readable ONNX model"];
        var flipped = (byte[])good.Clone();
        for (int i = 1; i < 200; i += 7) flipped[i] ^= 0x5A;
        yield return ["damaged", flipped, "not a readable ONNX model"];
        yield return ["foreign", MicroModel(p => p.MetadataProps.Clear()), "without WaveFlow's metadata"];
        yield return ["newer", MicroModel(p => p.MetadataProps.First(e => e.Key == OnnxModelFormat.VersionKey).Value = "2"), "newer than this build reads"];
        yield return ["renamed", MicroModel(p =>
        {
            p.Graph.Input[1].Name = "noise";
            foreach (var node in p.Graph.Node)
                for (int i = 0; i < node.Input.Count; i++)
                    if (node.Input[i] == OnnxModelFormat.NoiseInput) node.Input[i] = "noise";
        }), "inputs are [mel, noise]"];
        yield return ["bad-config", MicroModel(p => p.MetadataProps.First(e => e.Key == OnnxModelFormat.MelConfigKey).Value = "{\"hop_length\": -3}"), "hop_length"];
    }

    [Theory]
    [MemberData(nameof(BadFiles))]
    public void BadModelFileIsOneLineNamingItWithExitCode2(string name, byte[] contents, string problem)
    {
        using var tmp = new TempDir();
        string path = tmp[name + ".onnx"];
        File.WriteAllBytes(path, contents);
        var e = Assert.Throws<WaveFlowException>(() => WaveFlowOnnxVocoder.Load(path, "cpu"));
        Assert.Equal(2, e.ExitCode);
        Assert.StartsWith(path + ": ", e.Message);
        Assert.Contains(problem, e.Message);
        Assert.DoesNotContain('\n', e.Message);

        // The CLI picks ONNX Runtime from the content and reports the same line, writing nothing.
        string outDir = tmp["out"];
        var (code, error) = CliRunner.RunWithError("synthesize", "-c", path, "-o", outDir, ModelFixture.WeightsPath("micro").Replace("weights.safetensors", "infer.mel.npy"));
        if (name is "truncated" or "damaged" && !OnnxModelFile.LooksLikeOnnx(path))
            return;   // damage that reaches the first bytes makes it no ONNX file at all: the checkpoint loader's error
        Assert.Equal(2, code);
        Assert.StartsWith(path + ": ", error);
        Assert.False(Directory.Exists(outDir) && Directory.EnumerateFiles(outDir).Any());
    }

    [Fact]
    public void MissingFileIsOneLine()
    {
        var e = Assert.Throws<WaveFlowException>(() => WaveFlowOnnxVocoder.Load("/nonexistent/model.onnx"));
        Assert.Equal("/nonexistent/model.onnx: file not found", e.Message);
    }

    [Fact]
    public void CheckpointsAreNotTakenForOnnxAndOurExportIs()
    {
        using var tmp = new TempDir();
        foreach (var file in new[] { "weights.safetensors", "nvidia_checkpoint.pt", "state_dict.pt" })
            Assert.False(OnnxModelFile.LooksLikeOnnx(Fixture.Path_("micro", file)), file);
        Assert.False(OnnxModelFile.LooksLikeOnnx(ModelFixture.WeightsPath("tiny")));
        string path = tmp["m.onnx"];
        File.WriteAllBytes(path, MicroModel());
        Assert.True(OnnxModelFile.LooksLikeOnnx(path));
    }
}
