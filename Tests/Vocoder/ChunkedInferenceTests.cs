using WaveFlow.Audio;
using WaveFlow.Core;
using WaveFlow.Tests.Support;
using WaveFlow.Vocoder;
using WaveFlow.Vocoder.Synthesis;
using static TorchSharp.torch;

namespace WaveFlow.Tests.Vocoder;

/// <summary>
/// Chunked synthesis against whole-utterance synthesis of the same mel and noise, on NVIDIA's
/// micro fixture model (6 flows × 3 layers, k = 3: reach 42 steps = 336 samples; with the
/// upsampler's 768 samples the default context is 5 frames).
/// </summary>
public class ChunkedInferenceTests
{
    private const int Frames = 203, Chunk = 24, Hop = 256;

    /// <summary>A long random mel (B, 16, 203) and σ = 0.6 noise covering all of it, seeded.</summary>
    private static (Tensor Mel, Tensor Z) Inputs(int batch, long seed)
    {
        var gen = new TorchSharp.torch.Generator((ulong)seed);
        var mel = randn([batch, 16, Frames], generator: gen) - 5.0;          // (B, n_mel, F), log-mel-like
        var z = randn([batch, 8, Frames * Hop / 8], generator: gen) * 0.6;    // (B, g, T/g)
        return (mel, z);
    }

    /// <summary>Max |a − b| over samples within <paramref name="radius"/> of a seam (or, if
    /// <paramref name="outside"/>, over those farther than it).</summary>
    private static double MaxAbsNearSeams(float[] a, float[] b, int length, int radius, bool outside = false)
    {
        double max = 0;
        for (int i = 0; i < a.Length; i++)
        {
            int s = i % length;
            int seam = (int)Math.Round(s / (double)(Chunk * Hop)) * Chunk * Hop;
            bool near = seam > 0 && seam < length && Math.Abs(s - seam) <= radius;
            if (near != outside) max = Math.Max(max, Math.Abs(a[i] - b[i]));
        }
        return max;
    }

    [Fact]
    public void DefaultContextEqualsWholeUtteranceSynthesis()
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        using var model = ModelFixture.Load("micro");
        var (mel, z) = Inputs(batch: 2, seed: 11);
        Assert.Equal(5, ReceptiveField.ContextFrames(model.Options, model.Mel));

        var whole = ModelFixture.Floats(model.Inverse(z, mel));
        var chunked = ModelFixture.Floats(ChunkedInference.Infer(model, mel, z, Chunk));
        Assert.Equal(whole.Length, chunked.Length);
        double rel = Fixture.RelativeL2(chunked, whole);
        double peak = whole.Max(Math.Abs);
        // Error at the 8 seams (± one hop): float rounding only, the receptive field is covered.
        double seam = MaxAbsNearSeams(chunked, whole, Frames * Hop, Hop);
        Assert.True(rel < 1e-5, $"relative L2 {rel:G3}");
        Assert.True(seam < 1e-5 * peak, $"max |error| at the seams {seam:G3} (peak {peak:G3})");
    }

    [Fact]
    public void WithoutContextTheErrorStaysWithinTheReceptiveFieldOfTheSeams()
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        using var model = ModelFixture.Load("micro");
        var (mel, z) = Inputs(batch: 1, seed: 12);
        var whole = ModelFixture.Floats(model.Inverse(z, mel));
        var chunked = ModelFixture.Floats(ChunkedInference.Infer(model, mel, z, Chunk, contextFrames: 0));
        double peak = whole.Max(Math.Abs);

        // No context: the seams are wrong (the chunks zero-pad where the utterance goes on) ...
        double seam = MaxAbsNearSeams(chunked, whole, whole.Length, Hop);
        Assert.True(seam > 1e-3 * peak, $"seam error {seam:G3} should be visible without context (peak {peak:G3})");
        // ... but only within reach of them: 42 steps · 8 after a seam plus the upsampler's
        // 1024 − 256 samples before it. Farther away the chunk sees everything the whole run sees.
        int reach = (int)(ReceptiveField.Steps(model.Options) * 8) + 1024 - Hop;
        Assert.Equal(336 + 768, reach);
        double far = MaxAbsNearSeams(chunked, whole, whole.Length, reach, outside: true);
        Assert.True(far < 1e-5 * peak, $"error {far:G3} farther than {reach} samples from a seam");
    }

    [Fact]
    public void CrossfadeBetweenExactChunksChangesNothingAndShortZIsHonoured()
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        using var model = ModelFixture.Load("micro");
        var (mel, zFull) = Inputs(batch: 1, seed: 13);
        var z = zFull.narrow(2, 0, zFull.shape[2] - 40);                   // (1, 8, T/8 − 40): shorter than F·hop
        var whole = ModelFixture.Floats(model.Inverse(z, mel));
        var chunked = ModelFixture.Floats(ChunkedInference.Infer(model, mel, z, Chunk, crossfadeSamples: 512));
        Assert.Equal(whole.Length, chunked.Length);
        double rel = Fixture.RelativeL2(chunked, whole);
        Assert.True(rel < 1e-5, $"relative L2 {rel:G3}");
    }

    [Fact]
    public void ReceptiveFieldOfKnownConfigs()
    {
        var mel = new MelOptions();
        Assert.Equal(255, ReceptiveField.StepsPerFlow(new WNOptions(8, 256, 3)));
        Assert.Equal(3060, ReceptiveField.Steps(new WaveGlowOptions()));
        Assert.Equal(99, ReceptiveField.ContextFrames(new WaveGlowOptions(), mel));            // ⌈(24480 + 768)/256⌉
        var small = new WaveGlowOptions { NFlows = 8, WN = new WNOptions(4, 64, 3) };
        Assert.Equal(7, ReceptiveField.ContextFrames(small, mel));                              // ⌈(960 + 768)/256⌉
        Assert.Equal(2 * 15, ReceptiveField.StepsPerFlow(new WNOptions(4, 64, 5)));             // k = 5 reaches 2 per dilation
    }

    [Fact]
    public void BadArgumentsAreRejected()
    {
        using var scope = NewDisposeScope();
        using var model = ModelFixture.Load("micro");
        var (mel, z) = Inputs(batch: 1, seed: 14);
        Assert.Throws<WaveFlowException>(() => ChunkedInference.Infer(model, mel, z, 0));
        Assert.Throws<WaveFlowException>(() => ChunkedInference.Infer(model, mel, z.narrow(1, 0, 6), Chunk));
        Assert.Throws<WaveFlowException>(() => ChunkedInference.Infer(model, mel.narrow(2, 0, 100), z, Chunk));
        Assert.Throws<WaveFlowException>(() => ChunkedInference.Infer(model, mel, z, Chunk, contextFrames: 1, crossfadeSamples: 512));
    }
}
