using static TorchSharp.torch;

namespace WaveFlow.Vocoder;

/// <summary>
/// The floating-point format inference runs in. float16 is the GPU's fast path; bfloat16 has
/// float32's exponent range with 8 bits of mantissa and is the fast path of CPUs with AVX-512 BF16
/// or AMX (docs/performance.md has the current speeds). Training uses the same
/// types as mixed precision (see Autocast): float32 master weights, low-precision products.
/// </summary>
public enum Precision
{
    /// <summary>float32: the reference.</summary>
    Fp32,
    /// <summary>float16 (IEEE half): the fast path on GPUs.</summary>
    Fp16,
    /// <summary>bfloat16: the fast path on CPUs with AVX-512 BF16 or AMX.</summary>
    Bf16,
}
