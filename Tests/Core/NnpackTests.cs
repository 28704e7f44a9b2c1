using WaveFlow.Core.Runtime;

namespace WaveFlow.Tests.Core;

public class NnpackTests
{
    [Fact]
    public void SwitchedOffWhenLibtorchLoads()
    {
        TorchRuntime.EnsureLoaded();
        // The package's libtorch exports the switch; with it off, libtorch never initialises NNPACK,
        // so its "Unsupported hardware" warning cannot reach stderr.
        Assert.False(Nnpack.Enabled());
        Assert.StartsWith("off", Nnpack.Status);
    }
}
