using TorchSharp;
using static TorchSharp.torch;

namespace WaveFlow.Core.Runtime;

/// <summary>
/// Small computations with known answers: a conv1d against hand-computed values on the CPU, then
/// the same random conv1d, matmul and backward on each CUDA device against the CPU result.
/// </summary>
internal static class SelfTest
{
    public static IReadOnlyList<SelfTestResult> Run()
    {
        TorchRuntime.EnsureLoaded();
        using var scope = torch.NewDisposeScope();
        var results = new List<SelfTestResult>();

        // x = [1 2 3 4 5], w = [1 0 -1], bias 0.5: y[t] = x[t] - x[t+2] + 0.5 = -1.5 each.
        var x = torch.tensor(new float[] { 1, 2, 3, 4, 5 }).reshape(1, 1, 5);
        var w = torch.tensor(new float[] { 1, 0, -1 }).reshape(1, 1, 3);
        var y = nn.functional.conv1d(x, w, torch.tensor(new float[] { 0.5f }));
        var expected = torch.full(1, 1, 3, -1.5f);
        results.Add(new("conv1d (known values)", "cpu", (y - expected).abs().max().item<float>(), 0));

        var gen = new torch.Generator(1234);
        var a = torch.randn(new long[] { 2, 16, 4096 }, generator: gen);
        var k = torch.randn(new long[] { 32, 16, 3 }, generator: gen);
        var m = torch.randn(new long[] { 256, 256 }, generator: gen);
        var cpuConv = nn.functional.conv1d(a, k, dilation: 2);
        var cpuMat = m.matmul(m);
        for (int i = 0; i < (torch.cuda.is_available() ? torch.cuda.device_count() : 0); i++)
        {
            var dev = new Device(DeviceType.CUDA, i);
            var conv = nn.functional.conv1d(a.to(dev), k.to(dev), dilation: 2).cpu();
            results.Add(new("conv1d vs CPU", dev.ToString(), (conv - cpuConv).abs().max().item<float>(), 1e-2));
            var mat = m.to(dev).matmul(m.to(dev)).cpu();
            results.Add(new("matmul vs CPU", dev.ToString(), ((mat - cpuMat).abs().max() / cpuMat.abs().max()).item<float>(), 1e-2));
            var p = m.to(dev).requires_grad_(true);
            p.pow(2).sum().backward();
            results.Add(new("autograd vs 2x", dev.ToString(), (p.grad!.cpu() - 2 * m).abs().max().item<float>(), 1e-5));
        }
        return results;
    }
}
