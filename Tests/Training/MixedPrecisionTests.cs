using TorchSharp;
using WaveFlow.Audio.Dsp;
using WaveFlow.Core;
using WaveFlow.Evaluation.Benchmarks;
using WaveFlow.Tests.Support;
using WaveFlow.Training.Config;
using WaveFlow.Training.Data;
using WaveFlow.Training.Loop;
using WaveFlow.Vocoder;
using static TorchSharp.torch;

namespace WaveFlow.Tests.Training;

/// <summary>
/// Mixed-precision training steps on the tiny config (CPU): gradients against the float32 step
/// of the same weights and batch, master weights and loss in float32, fp16 loss scaling.
/// </summary>
public class MixedPrecisionTests
{
    private static readonly TrainingConfig Tiny = TrainingConfig.Load(ConfigTests.ShippedConfig("waveflow-tiny.json"));

    /// <summary>The tiny model from a fixed seed, with real (non-identity) couplings.</summary>
    internal static WaveGlow Model()
    {
        WaveGlow model;
        using (InitRandom.Seeded(77)) model = new WaveGlow(Tiny.Model, Tiny.Mel);
        BenchRunner.RandomizeCouplings(model, std: 0.05);
        return model;
    }

    /// <summary>Two clips of a seeded mixture of tones and noise, 4000 samples each.</summary>
    internal static TrainingBatch Batch()
    {
        const int length = 4000;
        var rng = new Random(5);
        var audio = new float[2 * length];
        for (int i = 0; i < audio.Length; i++)
            audio[i] = (float)(0.3 * Math.Sin(i * 0.05) + 0.2 * Math.Sin(i * 0.31) + 0.05 * (rng.NextDouble() - 0.5));
        return new TrainingBatch(0, 0, audio, 2, length, ["a", "b"]);
    }

    internal sealed record StepRun(StepResult Result, float[] Gradients, float[] FirstParameterAfter, ScalarType GradientDtype, double? Scale);

    internal static StepRun Step(Precision precision, LossScaler? scaler = null, double learningRate = 0, Device? device = null)
    {
        device ??= CPU;
        if (device.type == DeviceType.CPU) set_num_threads(1);
        using var model = Model();
        model.to(device);
        using var optimizer = optim.Adam(model.parameters(), learningRate > 0 ? learningRate : 1e-3);
        using var mel = new TorchMelSpectrogram(Tiny.Mel, device);
        using var step = new TrainStep(model, optimizer, mel, device, sigma: 1.0, gradClip: 0, precision: precision, scaler: scaler);
        var result = step.Run(Batch(), learningRate);
        var grads = step.Gradients;
        return new StepRun(result, ModelFixture.Floats(grads), ModelFixture.Floats(model.parameters().First()),
            grads.dtype, step.Scaler?.Scale);
    }

    internal static double RelativeL2(float[] a, float[] reference)
    {
        double num = 0, den = 0;
        for (int i = 0; i < a.Length; i++) { num += Math.Pow(a[i] - reference[i], 2); den += Math.Pow(reference[i], 2); }
        return Math.Sqrt(num / den);
    }

    [Theory]
    [InlineData(Precision.Bf16, 0.02)]
    [InlineData(Precision.Fp16, 0.003)]
    public void LowPrecisionGradientsMatchFloat32(Precision precision, double tolerance)
    {
        var fp32 = Step(Precision.Fp32);
        var low = Step(precision);
        Assert.Equal(StepOutcome.Stepped, fp32.Result.Outcome);
        Assert.Equal(StepOutcome.Stepped, low.Result.Outcome);
        // Master gradients are float32, and the fp16 ones are divided back by the loss scale
        // (if they were not, they would be 65536 times too large).
        Assert.Equal(ScalarType.Float32, low.GradientDtype);
        double rel = RelativeL2(low.Gradients, fp32.Gradients);
        Assert.True(rel < tolerance, $"{precision} gradients differ from fp32 by {rel:G3} (relative L2), tolerance {tolerance}");
        // ... and the products really ran in low precision: the gradients are not float32's.
        Assert.True(rel > 1e-5, $"{precision} gradients equal fp32's ({rel:G3}): the step did not compute in {precision}");
        Assert.Equal(fp32.Result.Loss, low.Result.Loss, 2);
    }

    [Fact]
    public void Fp16OverflowSkipsTheStepAndHalvesTheScale()
    {
        // 2^40 times the loss overflows float16 (max 65504) in the backward pass.
        var before = ModelFixture.Floats(Model().parameters().First());
        var run = Step(Precision.Fp16, new LossScaler(Math.Pow(2, 40)), learningRate: 1e-2);
        Assert.Equal(StepOutcome.LossScaleOverflow, run.Result.Outcome);
        Assert.Equal(Math.Pow(2, 39), run.Scale);
        Assert.Equal(before, run.FirstParameterAfter);               // no step: weights untouched

        var ok = Step(Precision.Fp16, new LossScaler(), learningRate: 1e-2);
        Assert.Equal(StepOutcome.Stepped, ok.Result.Outcome);
        Assert.NotEqual(before, ok.FirstParameterAfter);
    }

    [Fact]
    public void StepGuardDoesNotCountLossScaleOverflows()
    {
        var guard = new StepGuard(2);
        Assert.False(guard.Record(StepOutcome.LossScaleOverflow));
        Assert.False(guard.Record(StepOutcome.LossScaleOverflow));
        Assert.False(guard.Record(StepOutcome.LossScaleOverflow));
        Assert.Equal(0, guard.InRow);
        Assert.False(guard.Record(StepOutcome.NonFiniteGradient));
        Assert.True(guard.Record(StepOutcome.NonFiniteGradient));
    }

    [Fact]
    public void LossScalerHalvesOnOverflowAndDoublesAfterTheInterval()
    {
        var s = new LossScaler(1024, growthInterval: 3);
        s.Update(finite: false);
        Assert.Equal(512, s.Scale);
        s.Update(true); s.Update(true);
        Assert.Equal(512, s.Scale);
        s.Update(true);
        Assert.Equal(1024, s.Scale);
        Assert.Equal(0, s.GoodSteps);
        s.Update(true); s.Update(false); s.Update(true); s.Update(true);
        Assert.Equal(512, s.Scale);                                  // an overflow restarts the count
        var low = new LossScaler(2);
        low.Update(false);
        Assert.Equal(LossScaler.MinScale, low.Scale);
        Assert.False(low.CanBackOff);
        low.Update(false);
        Assert.Equal(LossScaler.MinScale, low.Scale);
        Assert.Throws<WaveFlowException>(() => low.Restore(double.NaN));
    }

    [Fact]
    public void AutocastComputesProductsInLowPrecisionAndHandsWNOutputBackInFloat32()
    {
        using var model = Model();
        using var layer = new WeightNormConv1d(4, 6);
        using var x = randn(1, 4, 10);
        Assert.Null(Autocast.Dtype);
        using (Autocast.Enable(ScalarType.BFloat16))
        {
            using (Autocast.Enable(ScalarType.Float32)) Assert.Null(Autocast.Dtype);   // nests and restores
            Assert.Equal(ScalarType.BFloat16, Autocast.Dtype);
            using var y = layer.forward(x);
            Assert.Equal(ScalarType.BFloat16, y.dtype);
            using var audio = rand(1, 4000) - 0.5;
            using var mel = randn(1, 16, 4000 / 64 + 1);
            var (z, logS, logDet) = model.Forward(audio, mel);
            Assert.Equal(ScalarType.Float32, z.dtype);
            Assert.Equal(ScalarType.Float32, logS.dtype);
            Assert.Equal(ScalarType.Float32, logDet.dtype);
            z.Dispose(); logS.Dispose(); logDet.Dispose();
        }
        Assert.Null(Autocast.Dtype);
        Assert.All(model.parameters(), p => Assert.Equal(ScalarType.Float32, p.dtype));
    }

    [Theory]
    [InlineData("", false, DeviceType.CPU, Precision.Fp32)]
    [InlineData("", true, DeviceType.CPU, Precision.Bf16)]
    [InlineData("", true, DeviceType.CUDA, Precision.Fp16)]
    [InlineData("fp32", true, DeviceType.CUDA, Precision.Fp32)]
    [InlineData("bf16", false, DeviceType.CUDA, Precision.Bf16)]
    [InlineData("fp16", false, DeviceType.CPU, Precision.Fp16)]
    public void PrecisionComesFromThePrecisionKeyOrFp16Run(string key, bool fp16Run, DeviceType device, Precision expected)
    {
        var train = new TrainOptions { Precision = key, Fp16Run = fp16Run };
        Assert.Equal(expected, TrainingPrecision.Resolve(train, device));
    }

    [Fact]
    public void UnknownPrecisionIsRejectedByName()
    {
        var e = Assert.Throws<WaveFlowException>(() => new TrainOptions { Precision = "fp8" }.Validate("cfg.json"));
        Assert.Equal("cfg.json: train_config.precision must be fp32, bf16 or fp16 (or absent: from fp16_run), got \"fp8\"", e.Message);
    }

    [Fact]
    public void CpuWithoutBf16InstructionsGetsAMessage()
    {
        Assert.Null(CpuFeatures.Probe(new HashSet<string> { "avx2", "avx512f", "avx512_bf16" }));
        Assert.Null(CpuFeatures.Probe(new HashSet<string> { "amx_bf16" }));
        Assert.Contains("slower than fp32", CpuFeatures.Probe(new HashSet<string> { "avx2", "avx512f" }));
        Assert.Contains("slower than fp32", CpuFeatures.Probe(null));
        Assert.Contains("warning", TrainingPrecision.Describe(Precision.Fp16, DeviceType.CPU));
        Assert.Null(TrainingPrecision.Describe(Precision.Fp32, DeviceType.CPU));
    }
}
