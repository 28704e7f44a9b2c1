using TorchSharp;
using WaveFlow.Vocoder;

namespace WaveFlow.Training.Config;

/// <summary>
/// Which precision a training run computes in, from train_config's <c>precision</c> and
/// <c>fp16_run</c>: an explicit <c>precision</c> wins; otherwise fp16_run = true means NVIDIA's
/// apex AMP, i.e. float16 with dynamic loss scaling on CUDA and bfloat16 on the CPU (libtorch has
/// no fast float16 CPU kernels, so float16 on the CPU is much slower than float32).
/// </summary>
internal static class TrainingPrecision
{
    public static Precision Resolve(TrainOptions train, DeviceType device) => train.Precision switch
    {
        "fp32" => Precision.Fp32,
        "bf16" => Precision.Bf16,
        "fp16" => Precision.Fp16,
        _ when !train.Fp16Run => Precision.Fp32,
        _ => device == DeviceType.CUDA ? Precision.Fp16 : Precision.Bf16,
    };

    /// <summary>One line for the log saying what the run computes in and, where it will be slow,
    /// why (null for plain float32).</summary>
    public static string? Describe(Precision precision, DeviceType device)
    {
        if (precision == Precision.Fp32) return null;
        string what = $"mixed precision: products in {precision.Name()}, float32 master weights, log-determinants and loss"
            + (precision == Precision.Fp16 ? ", dynamic loss scaling" : "");
        if (device != DeviceType.CUDA && precision == Precision.Fp16)
            return what + "; warning: this CPU has no fast float16 kernels, expect it slower than fp32 (use bf16)";
        if (device != DeviceType.CUDA && precision == Precision.Bf16 && CpuFeatures.Bf16Shortfall is { } lacking)
            return what + $"; warning: {lacking}";
        return what;
    }
}
