using TorchSharp;
using static TorchSharp.torch;

namespace WaveFlow.Vocoder;

/// <summary>
/// Where a model's initial weights are drawn from. libtorch's default generator is one per
/// process, so "torch.manual_seed(s); new WaveGlow(…)" is only reproducible when no other thread
/// draws a number in between (parallel tests, a second model being built, a sampler). A model
/// built inside <c>using (InitRandom.Seeded(s))</c> draws every initial weight from its own
/// generator, owned by this thread, so the same seed always gives the same weights. Outside such
/// a scope the modules draw from the default generator, as torch.nn does.
/// </summary>
internal static class InitRandom
{
    [ThreadStatic] private static Generator? current;

    /// <summary>Until disposed, weights initialised on this thread come from a generator seeded with <paramref name="seed"/>.</summary>
    public static IDisposable Seeded(long seed) => new Scope(new Generator(unchecked((ulong)seed)));

    /// <summary>U(−bound, bound) of the given shape (float32, CPU), as torch.nn's default init draws it.</summary>
    internal static Tensor Uniform(double bound, params long[] shape) =>
        empty(shape).uniform_(-bound, bound, generator: current);

    /// <summary>N(0, 1) of the given shape and dtype (CPU).</summary>
    internal static Tensor Normal(ScalarType dtype, params long[] shape) =>
        randn(shape, dtype: dtype, generator: current);

    private sealed class Scope : IDisposable
    {
        private readonly Generator generator;
        private readonly Generator? outer;

        public Scope(Generator generator)
        {
            (this.generator, outer) = (generator, current);
            current = generator;
        }

        public void Dispose()
        {
            current = outer;
            generator.Dispose();
        }
    }
}
