namespace WaveFlow.Training.Data;

/// <summary>
/// A tiny random stream (SplitMix64) whose whole state is one 64-bit number, so it can be stored
/// in a checkpoint and restored exactly; System.Random hides its state. The training data order
/// uses streams derived from (seed, purpose, epoch, slot) with <see cref="Derive"/>, which makes
/// every crop a pure function of its position: resuming at iteration i needs no saved RNG at all.
/// </summary>
internal sealed class SeededStream(ulong state)
{
    /// <summary>The current state; <c>new SeededStream(s.State)</c> continues identically.</summary>
    public ulong State { get; private set; } = state;

    public ulong NextUInt64()
    {
        // SplitMix64 (Steele, Lea, Flood 2014): a Weyl sequence pushed through a bit mixer.
        State += 0x9E3779B97F4A7C15UL;
        return Mix(State);
    }

    /// <summary>Uniform integer in [0, maxExclusive), without modulo bias (rejection sampling).</summary>
    public int NextInt(int maxExclusive)
    {
        if (maxExclusive <= 0) throw new ArgumentOutOfRangeException(nameof(maxExclusive));
        ulong n = (ulong)maxExclusive, limit = ulong.MaxValue - ulong.MaxValue % n;
        ulong x;
        do x = NextUInt64(); while (x >= limit);
        return (int)(x % n);
    }

    /// <summary>Uniform double in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>In-place Fisher–Yates shuffle.</summary>
    public void Shuffle<T>(IList<T> items)
    {
        for (int i = items.Count - 1; i > 0; i--)
        {
            int j = NextInt(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }

    /// <summary>An independent stream for one purpose and position, e.g. Derive(seed, Purpose.Crop, epoch, slot).</summary>
    public static SeededStream Derive(long seed, params long[] keys)
    {
        ulong h = Mix((ulong)seed ^ 0x5EEDF00DUL);
        foreach (var k in keys) h = Mix(h ^ Mix((ulong)k + 0x9E3779B97F4A7C15UL));
        return new SeededStream(h);
    }

    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
