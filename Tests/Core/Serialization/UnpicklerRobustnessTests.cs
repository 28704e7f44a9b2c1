using System.IO.Compression;
using WaveFlow.Core;
using WaveFlow.Core.Serialization.PyTorch;
using WaveFlow.Tests.Support;
using WaveFlow.Vocoder;

namespace WaveFlow.Tests.Core.Serialization;

/// <summary>
/// Damaged pickles must end in a <see cref="WaveFlowException"/> (one line) or a result, never in another
/// exception type, a hang or a huge allocation. Seeded mutations of a real torch-written pickle.
/// </summary>
public class UnpicklerRobustnessTests
{
    private static byte[] RealPickle()
    {
        using var zip = ZipFile.OpenRead(Fixture.Path_("micro", "nvidia_checkpoint.pt"));
        using var ms = new MemoryStream();
        using (var s = zip.GetEntry("nvidia_checkpoint/data.pkl")!.Open()) s.CopyTo(ms);
        return ms.ToArray();
    }

    private static object? Unpickle(byte[] bytes) =>
        new RestrictedUnpickler(new MemoryStream(bytes), "damaged.pkl", _ => new TorchStorage("0", TorchDType.Float32, 0)).Load();

    [Fact]
    public void TheUndamagedPickleLoads()
    {
        var root = Assert.IsType<PickleDict>(Unpickle(RealPickle()));
        Assert.Equal("glow.WaveGlow", Assert.IsType<PickleObject>(root["model"]).ClassName);
    }

    [Fact]
    public void TruncationsAndByteFlipsFailCleanly()
    {
        var original = RealPickle();
        var random = new Random(1234);
        int failures = 0;
        for (int trial = 0; trial < 200; trial++)
        {
            byte[] bytes;
            if (trial < 50) bytes = original[..random.Next(original.Length - 1)];
            else
            {
                bytes = (byte[])original.Clone();
                for (int k = 0; k < 1 + trial % 3; k++) bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
            }
            try { Unpickle(bytes); }
            catch (WaveFlowException e)
            {
                Assert.StartsWith("damaged.pkl: ", e.Message);
                Assert.DoesNotContain('\n', e.Message);
                failures++;
            }
        }
        // Every truncation must fail; most flips too (a flip inside a string can be harmless).
        Assert.True(failures >= 50, $"only {failures} of 200 damaged pickles were rejected");
    }
}
