using TorchSharp;
using WaveFlow.Core;
using WaveFlow.Core.Runtime;
using static TorchSharp.torch;

namespace WaveFlow.Tests.Core;

public class TorchRuntimeTests
{
    [Fact]
    public void TorchSharpLoadsAndConv1dMatchesHandComputedValues()
    {
        TorchRuntime.EnsureLoaded();
        using var scope = torch.NewDisposeScope();
        // x = 0..9, kernel [1, 2, 3] dilated by 2: y[t] = x[t] + 2 x[t+2] + 3 x[t+4] = 6t + 16.
        var x = torch.arange(10, dtype: ScalarType.Float32).reshape(1, 1, 10);
        var w = torch.tensor(new float[] { 1, 2, 3 }).reshape(1, 1, 3);
        var y = nn.functional.conv1d(x, w, dilation: 2).flatten().data<float>().ToArray();
        Assert.Equal(new float[] { 16, 22, 28, 34, 40, 46 }, y);
    }

    [Fact]
    public void SelfTestPassesOnThisMachine()
    {
        var results = SelfTest.Run();
        Assert.NotEmpty(results);
        Assert.All(results, r => Assert.True(r.Passed, $"{r.Check} on {r.Device}: {r.MaxAbsError}"));
    }

    [Theory]
    [InlineData("cpu")]
    [InlineData("CPU")]
    public void DeviceSpecAcceptsCpu(string spec) => Assert.Equal(DeviceType.CPU, DeviceSpec.Resolve(spec).type);

    [Theory]
    [InlineData("gpu")]
    [InlineData("cuda:x")]
    public void DeviceSpecRejectsNonsenseWithOneLine(string spec)
    {
        var e = Assert.Throws<WaveFlowException>(() => DeviceSpec.Resolve(spec));
        Assert.Contains(spec, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }
}
