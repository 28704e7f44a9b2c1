namespace WaveFlow.Core.Serialization;

/// <summary>
/// Element counts of tensor shapes read from files, computed without overflow and against a
/// limit derived from what the file can hold, so that a damaged header is refused before
/// anything is allocated for it.
/// </summary>
internal static class ShapeMath
{
    /// <summary>
    /// The product of <paramref name="shape"/>, or null when a dimension is negative or the
    /// product exceeds <paramref name="limit"/> (checked step by step: it never overflows).
    /// A shape with a zero dimension holds 0 elements whatever its other dimensions are.
    /// </summary>
    public static long? TryCount(ReadOnlySpan<long> shape, long limit)
    {
        foreach (long d in shape) if (d < 0) return null;
        foreach (long d in shape) if (d == 0) return 0;
        long count = 1;
        foreach (long d in shape)
        {
            if (count > limit / d) return null;
            count *= d;
        }
        return count <= limit ? count : null;
    }

    /// <summary>"[80, 100]", for messages.</summary>
    public static string Describe(ReadOnlySpan<long> shape) => "[" + string.Join(", ", shape.ToArray()) + "]";
}
