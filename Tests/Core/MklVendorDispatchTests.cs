using System.Runtime.InteropServices;
using TorchSharp;
using WaveFlow.Core.Runtime;
using WaveFlow.Tests.Support;
using static TorchSharp.torch;

namespace WaveFlow.Tests.Core;

public class MklVendorDispatchTests
{
    private static bool IsAmdX64Linux() =>
        OperatingSystem.IsLinux() && RuntimeInformation.ProcessArchitecture == Architecture.X64
        && File.ReadLines("/proc/cpuinfo").Any(l => l.StartsWith("vendor_id", StringComparison.Ordinal) && l.Contains("AuthenticAMD"));

    [Fact]
    public void AppliedExactlyOnAmdX64Linux()
    {
        TorchRuntime.EnsureLoaded();
        if (Environment.GetEnvironmentVariable(MklVendorDispatch.Variable) == "keep")
        {
            Assert.False(MklVendorDispatch.Active);
            return;
        }
        Assert.Equal(IsAmdX64Linux(), MklVendorDispatch.Active);
        Assert.NotEqual("not applied", MklVendorDispatch.Status);
    }

    [Theory]
    [InlineData(512, 256, 2756)]     // NVIDIA's 1x1 res/skip layer over 1 s of audio
    [InlineData(4096, 640, 700)]     // NVIDIA's conditioning layer
    [InlineData(37, 19, 53)]         // odd sizes: the kernels' edge handling
    public void Float32ProductsAgreeWithFloat64(long rows, long inner, long cols)
    {
        TorchRuntime.EnsureLoaded();
        using var scope = NewDisposeScope();
        using var gen = new Generator(11);
        var a = randn([rows, inner], generator: gen);
        var b = randn([inner, cols], generator: gen);
        var bias = randn([rows, 1], generator: gen);
        var exact = addmm(bias.to(ScalarType.Float64), a.to(ScalarType.Float64), b.to(ScalarType.Float64), 1, 1);
        var product = addmm(bias, a, b, 1, 1).to(ScalarType.Float64);
        var batched = matmul(a, b.unsqueeze(0).expand(2, inner, cols)).to(ScalarType.Float64) + bias.to(ScalarType.Float64);
        double scale = exact.abs().max().item<double>();
        // float32 accumulation over `inner` terms of size ~1: a few ulps of sqrt(inner)·|value|.
        Assert.True((product - exact).abs().max().item<double>() < 1e-5 * scale, "addmm differs from float64");
        Assert.True((batched - exact.unsqueeze(0)).abs().max().item<double>() < 1e-5 * scale, "batched matmul differs from float64");
    }
}
