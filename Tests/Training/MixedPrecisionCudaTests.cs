using WaveFlow.Training.Loop;
using WaveFlow.Vocoder;
using static TorchSharp.torch;

namespace WaveFlow.Tests.Training;

/// <summary>
/// The mixed-precision step on a GPU (skipped without one): bf16 and fp16 gradients against the
/// fp32 step of the same weights and batch on the same GPU, and fp16 loss-scale overflow.
/// scripts/device-check-mixed-precision.sh runs these on a GPU machine.
/// </summary>
[Trait("Category", "Slow")]
[Trait("Device", "Cuda")]
public class MixedPrecisionCudaTests
{
    private static Device Gpu()
    {
        Skip.IfNot(cuda.is_available(), "no CUDA device");
        return CUDA;
    }

    [SkippableTheory]
    [InlineData(Precision.Bf16, 0.02)]
    [InlineData(Precision.Fp16, 0.003)]
    public void LowPrecisionGradientsMatchFloat32OnCuda(Precision precision, double tolerance)
    {
        var gpu = Gpu();
        // TF32 off, so that the reference is float32 proper.
        backends.cuda.matmul.allow_tf32 = false;
        backends.cudnn.allow_tf32 = false;
        var fp32 = MixedPrecisionTests.Step(Precision.Fp32, device: gpu);
        var low = MixedPrecisionTests.Step(precision, device: gpu);
        Assert.Equal(StepOutcome.Stepped, low.Result.Outcome);
        Assert.Equal(ScalarType.Float32, low.GradientDtype);
        double rel = MixedPrecisionTests.RelativeL2(low.Gradients, fp32.Gradients);
        Assert.True(rel < tolerance, $"{precision} gradients on CUDA differ from fp32 by {rel:G3}, tolerance {tolerance}");
        Assert.True(rel > 1e-6, $"{precision} gradients equal fp32's: the step did not compute in {precision}");
    }

    [SkippableFact]
    public void Fp16OverflowSkipsTheStepOnCuda()
    {
        var gpu = Gpu();
        var run = MixedPrecisionTests.Step(Precision.Fp16, new LossScaler(Math.Pow(2, 40)), learningRate: 1e-2, device: gpu);
        Assert.Equal(StepOutcome.LossScaleOverflow, run.Result.Outcome);
        Assert.Equal(Math.Pow(2, 39), run.Scale);
    }
}
