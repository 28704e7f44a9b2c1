using static TorchSharp.torch;

namespace WaveFlow.Vocoder;

internal static class PrecisionExtensions
{
    public static ScalarType Dtype(this Precision p) => p switch
    {
        Precision.Fp16 => ScalarType.Float16,
        Precision.Bf16 => ScalarType.BFloat16,
        _ => ScalarType.Float32,
    };

    /// <summary>float32, float16 or bfloat16.</summary>
    public static string Name(this Precision p) => p switch
    {
        Precision.Fp16 => "float16",
        Precision.Bf16 => "bfloat16",
        _ => "float32",
    };
}
