using System.Text;
using WaveFlow.Audio.Wav;
using WaveFlow.Core;
using WaveFlow.Core.Serialization;
using WaveFlow.Core.Serialization.PyTorch;
using WaveFlow.Tests.Core.Serialization;
using WaveFlow.Tests.Support;

namespace WaveFlow.Tests.Fuzz;

/// <summary>
/// The defect classes a hostile-input review found, one input each: every one must now be a
/// one-line <see cref="WaveFlowException"/> naming the file, allocating little.
/// </summary>
public class ReportedDefectTests
{
    private const string Path = "hostile.bin";

    /// <summary>Runs <paramref name="load"/>, expecting a refusal naming the file, under 1 MB of allocation.</summary>
    private static string Refused(Action load)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<WaveFlowException>(load);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.StartsWith(Path + ": ", e.Message);
        Assert.DoesNotContain('\n', e.Message);
        Assert.True(allocated < 1 << 20, $"allocated {allocated:N0} bytes to refuse a small file");
        return e.Message;
    }

    private static byte[] Safetensors(string header, int dataBytes = 16)
    {
        var h = Encoding.UTF8.GetBytes(header);
        return [.. BitConverter.GetBytes((ulong)h.Length), .. h, .. new byte[dataBytes]];
    }

    [Theory]
    [InlineData("""{"t":{"shape":[2],"data_offsets":[0,8]}}""", "lacks \"dtype\"")]
    [InlineData("""{"t":{"dtype":"F32","data_offsets":[0,8]}}""", "lacks \"shape\"")]
    [InlineData("""{"t":{"dtype":"F32","shape":[2]}}""", "lacks \"data_offsets\"")]
    [InlineData("""{"t":{"dtype":null,"shape":[2],"data_offsets":[0,8]}}""", "dtype is a JSON null")]
    [InlineData("""{"t":{"dtype":"F32","shape":null,"data_offsets":[0,8]}}""", "shape is a JSON null")]
    [InlineData("""{"t":{"dtype":"F32","shape":[1.5],"data_offsets":[0,8]}}""", "shape[0] is 1.5")]
    [InlineData("""{"t":{"dtype":"F32","shape":[[2]],"data_offsets":[0,8]}}""", "shape[0] is [2]")]
    [InlineData("""{"t":[]}""", "header entry is a JSON array")]
    [InlineData("""{"t":7}""", "header entry is a JSON number")]
    [InlineData("""{"__metadata__":{"a":1},"t":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}""", "__metadata__.a is a JSON number")]
    [InlineData("""{"t":{"dtype":"F32","shape":[2],"data_offsets":[0]}}""", "data_offsets has 1 items")]
    [InlineData("""{"t":{"dtype":"F32","shape":[-1],"data_offsets":[0,8]}}""", "does not fit")]
    [InlineData("""{"t":{"dtype":"F32","shape":[2147483648],"data_offsets":[0,8]}}""", "does not fit")]
    [InlineData("""{"t":{"dtype":"F32","shape":[1073741824],"data_offsets":[0,8]}}""", "does not fit")]
    [InlineData("""{"t":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,8]}}""", "does not fit")]
    [InlineData("""{"t":{"dtype":"F32","shape":[2],"data_offsets":[8,0]}}""", "not a byte range")]
    [InlineData("""null""", "expected an object")]
    public void SafetensorsHeaders(string header, string expected) =>
        Assert.Contains(expected, Refused(() => WaveFlow.Core.Serialization.Safetensors.Parse(Safetensors(header), Path)));

    [Theory]
    [InlineData("(80, 1e3)")]
    [InlineData("(80 80)")]
    [InlineData("(80, 8x)")]
    [InlineData("(80, -2)")]
    [InlineData("(,)")]
    [InlineData("(9223372036854775807, 9223372036854775807)")]
    public void NpyShapes(string shape)
    {
        string header = $"{{'descr': '<f4', 'fortran_order': False, 'shape': {shape}, }}".PadRight(117) + "\n";
        byte[] bytes = [0x93, .. "NUMPY"u8, 1, 0, .. BitConverter.GetBytes((ushort)header.Length), .. Encoding.Latin1.GetBytes(header), .. new byte[64]];
        Refused(() => NpyFile.Parse(bytes, Path));
    }

    [Fact]
    public void NpyVersion2HeaderLengthPastIntRange()
    {
        byte[] bytes = [0x93, .. "NUMPY"u8, 2, 0, .. BitConverter.GetBytes(0xFFFFFFF0u), .. new byte[32]];
        Assert.Contains("truncated", Refused(() => NpyFile.Parse(bytes, Path)));
    }

    /// <summary>A legacy storage whose element count is huge: refused before count × element size is computed.</summary>
    [Theory]
    [InlineData(long.MaxValue)]
    [InlineData(long.MaxValue / 4 + 1)]
    [InlineData(-1L)]
    public void LegacyStorageCounts(long count)
    {
        var seed = File.ReadAllBytes(System.IO.Path.Combine(AppContext.BaseDirectory, "fuzz", "seeds", "pt-legacy", "mel-legacy.pt"));
        // The storage (8-byte count, then 16 × 6 float32 values) ends the file.
        int at = seed.Length - 16 * 6 * 4 - 8;
        Assert.Equal(96L, BitConverter.ToInt64(seed, at));
        BitConverter.GetBytes(count).CopyTo(seed, at);
        Assert.Contains("claims", Refused(() => PyTorchFile.Read(new MemoryStream(seed), Path)));
    }

    /// <summary>A 4-element storage viewed as 2^28 × 2^28 elements with stride 0: refused before the array is made.</summary>
    [Fact]
    public void ZipTensorLargerThanItsStorage()
    {
        using var tmp = new TempDir();
        var file = tmp["oversized-view.pt"];
        PickleBytes.WriteTorchZip(file, PickleBytes.Pickle(PickleBytes.Tensor("FloatStorage", "0", 4, 0, [1 << 28, 1 << 28], [0, 0])), ("0", new byte[16]));
        var bytes = File.ReadAllBytes(file);
        Assert.Contains("needs more elements than storage", Refused(() => PyTorchFile.Read(new MemoryStream(bytes), Path)));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3_999)]
    [InlineData(768_001)]
    [InlineData(int.MaxValue)]
    public void ResampleRatesOutsideTheSaneRange(int rate)
    {
        var wav = WavFile.Encode(new float[400], 22050);
        BitConverter.GetBytes(rate).CopyTo(wav, 24);                    // fmt sample rate
        BitConverter.GetBytes(rate * 2).CopyTo(wav, 28);                // byte rate (the reader checks nothing here)
        Assert.Contains("outside the 4000..768000 Hz", Refused(() => WavFile.Parse(wav, Path, new WavReadOptions(22050, Resample: true))));
    }

    [Fact]
    public void ResamplingAnAwkwardRatioKeepsItsKernelTableSmall()
    {
        // 44,101 → 22,050 reduces to 22,050 phases: the table is capped (4 MB) and the tone survives.
        var tone = Enumerable.Range(0, 44101).Select(i => (float)Math.Sin(2 * Math.PI * 1000 * i / 44101.0)).ToArray();
        long before = GC.GetAllocatedBytesForCurrentThread();
        var output = AudioResampler.Resample(tone, 44101, 22050);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 16 << 20);
        var expected = Enumerable.Range(0, output.Length).Select(i => (float)Math.Sin(2 * Math.PI * 1000 * i / 22050.0)).ToArray();
        // Away from the edges the converted tone matches the ideal one to -60 dB.
        var middle = Enumerable.Range(2000, output.Length - 4000);
        double error = Math.Sqrt(middle.Average(i => Math.Pow(output[i] - expected[i], 2)));
        Assert.True(error < 1e-3, $"RMS error {error}");
    }
}
