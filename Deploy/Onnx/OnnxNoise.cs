namespace WaveFlow.Onnx;

/// <summary>
/// Standard-normal noise for the ONNX vocoder, drawn in managed code (ONNX Runtime runs the
/// graph; the noise is one of its inputs). Box–Muller on .NET's <see cref="Random"/>: a seed gives
/// the same noise on every run and platform (a seeded <see cref="Random"/> is deterministic across
/// .NET versions), but not libtorch's noise for the same seed.
/// </summary>
internal static class OnnxNoise
{
    /// <summary><paramref name="count"/> values of σ·N(0, 1).</summary>
    public static float[] Gaussian(long count, float sigma, long? seed)
    {
        var random = seed is { } s ? new Random(unchecked((int)(s ^ (s >> 32)))) : new Random();
        var values = new float[count];
        for (long i = 0; i < count; i += 2)
        {
            // Box–Muller: two uniforms (u1 in (0, 1], so the log is finite) give two independent normals.
            double u1 = 1.0 - random.NextDouble(), u2 = random.NextDouble();
            double r = Math.Sqrt(-2.0 * Math.Log(u1)), theta = 2.0 * Math.PI * u2;
            values[i] = (float)(sigma * r * Math.Cos(theta));
            if (i + 1 < count) values[i + 1] = (float)(sigma * r * Math.Sin(theta));
        }
        return values;
    }
}
