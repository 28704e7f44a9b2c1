using WaveFlow.Vocoder;
using static TorchSharp.torch;

namespace WaveFlow.Tests.Vocoder;

public class ConvAsProductsTests
{
    [Theory]
    [InlineData(1, 1, 1, 0)]
    [InlineData(1, 3, 1, 1)]
    [InlineData(1, 3, 8, 8)]
    [InlineData(3, 3, 4, 4)]
    [InlineData(2, 1, 1, 0)]
    [InlineData(2, 3, 2, 0)]      // no padding: the output is shorter
    public void EqualsConv1dAndItsGradients(int batch, int kernel, int dilation, int padding)
    {
        using var scope = NewDisposeScope();
        using var gen = new TorchSharp.torch.Generator(3);
        var x0 = randn([batch, 12, 50], generator: gen);
        var w0 = randn([20, 12, kernel], generator: gen);
        var b0 = randn([20], generator: gen);
        // The reference: libtorch's conv1d in float64 (its own kernel, and exact enough to judge float32).
        var (expected, gx, gw, gb) = Run(x0.to(ScalarType.Float64), w0.to(ScalarType.Float64), b0.to(ScalarType.Float64),
            (x, w, b) => nn.functional.conv1d(x, w, b, padding: padding, dilation: dilation));
        var (actual, ax, aw, ab) = Run(x0, w0, b0, (x, w, b) => ConvAsProducts.Conv1d(x, w, b, dilation, padding));
        Assert.Equal(expected.shape, actual.shape);
        Close(actual, expected, "output");
        Close(ax, gx, "input gradient");
        Close(aw, gw, "weight gradient");
        Close(ab, gb, "bias gradient");

        // Gradients sum hundreds of products: float32 rounding, relative to their size.
        static void Close(Tensor a, Tensor e, string what)
        {
            double err = (a - e).abs().max().item<double>(), size = e.abs().max().item<double>();
            Assert.True(err < 1e-5 * size, $"{what}: max error {err:G3}, max |value| {size:G3}");
        }

        static (Tensor Y, Tensor Gx, Tensor Gw, Tensor Gb) Run(Tensor x, Tensor w, Tensor b, Func<Tensor, Tensor, Tensor, Tensor> conv)
        {
            x = x.detach().requires_grad_(); w = w.detach().requires_grad_(); b = b.detach().requires_grad_();
            var y = conv(x, w, b);
            (y * y).sum().backward();
            return (y.detach().to(ScalarType.Float64), x.grad!.to(ScalarType.Float64), w.grad!.to(ScalarType.Float64), b.grad!.to(ScalarType.Float64));
        }
    }

    [Fact]
    public void Bfloat16StaysCloseToFloat32()
    {
        using var scope = NewDisposeScope();
        using var gen = new TorchSharp.torch.Generator(4);
        var x = randn([1, 64, 300], generator: gen);
        var w = randn([128, 64, 3], generator: gen) * 0.1;
        var b = randn([128], generator: gen);
        var reference = nn.functional.conv1d(x, w, b, padding: 2, dilation: 2);
        var low = ConvAsProducts.Conv1d(x.to(ScalarType.BFloat16), w.to(ScalarType.BFloat16), b.to(ScalarType.BFloat16), 2, 2);
        Assert.Equal(ScalarType.BFloat16, low.dtype);
        double rel = ((low.to(ScalarType.Float32) - reference).norm() / reference.norm()).item<float>();
        Assert.True(rel < 0.01, $"relative L2 {rel}");
    }
}
