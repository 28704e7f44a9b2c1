using TorchSharp;
using WaveFlow.Core;
using WaveFlow.Core.Runtime;
using static TorchSharp.torch;

namespace WaveFlow.Vocoder.Synthesis;

/// <summary>
/// One float32 synthesis laid out as the chunks of a <see cref="ChunkedInference.Plan"/>, for a
/// scheduler that runs chunks of several syntheses together (<see cref="BatchedChunks"/>). The mel
/// (1, n_mel, F) and the noise σ·ε (1, g, F·hop/g) are made exactly as
/// <see cref="Synthesizer"/> makes them (ε from a generator seeded with the seed), so the chunks
/// laid end to end equal <see cref="WaveFlowVocoder.Synthesize"/> for the same mel, σ and seed to
/// float rounding (bit for bit when the chunk length is the vocoder's and the mel fits one chunk).
/// Owns its tensors (outside every dispose scope, so any thread may run its chunks; one at a time).
/// </summary>
internal sealed class PlannedSynthesis : IDisposable
{
    private readonly Tensor mel;   // (1, n_mel, F)
    private readonly Tensor z;     // (1, g, F·hop/g)
    private readonly IReadOnlyList<ChunkedInference.Chunk> plan;
    private bool disposed;

    /// <param name="vocoder">the loaded vocoder (its folded float32 model runs the chunks)</param>
    /// <param name="mel">a mel already checked against the model (<c>MelFile.Validate</c>): [n_mel, F]</param>
    /// <param name="sigma">σ, finite and ≥ 0</param>
    /// <param name="seed">the noise's seed</param>
    /// <param name="chunkFrames">mel frames per chunk (≥ 1)</param>
    public PlannedSynthesis(WaveFlowVocoder vocoder, FloatArray mel, float sigma, long seed, int chunkFrames)
    {
        Model = vocoder.Loaded.Model;
        Flow = vocoder.Flow;
        var o = vocoder.Loaded.Options;
        long frames = mel.Shape[^1];
        long steps = frames * vocoder.HopLength / o.NGroup;
        if (mel.Shape.Length != 2 || mel.Shape[0] != o.NMelChannels || steps < 1)
            throw new WaveFlowException($"mel has shape [{string.Join(", ", mel.Shape)}], the model needs [{o.NMelChannels}, frames ≥ 1]");
        var device = Model.parameters().First().device;
        using var gcGuard = ScalarGuard.Enter();      // see ScalarGuard: TorchSharp's Scalars vs the GC
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        // As Synthesizer.Inputs: the noise is drawn on the CPU in float32 from the seeded generator,
        // then moved and scaled, so that the same seed gives the same ε on every device.
        using var generator = new Generator((ulong)seed);
        var melTensor = tensor(mel.Data, [1, o.NMelChannels, frames]).to(ScalarType.Float32, device);                     // (1, n_mel, F)
        var noise = randn(1, o.NGroup, steps, generator: generator).to(ScalarType.Float32, device) * sigma;               // (1, g, F·hop/g)
        plan = ChunkedInference.Plan(Model, melTensor, noise, chunkFrames);
        Samples = steps * o.NGroup;
        // A harmonic source is rendered once for the whole utterance, as Synthesizer does, so each chunk adds its slice.
        source = Model.Source?.Render(melTensor, Samples).DetachFromDisposeScope();      // (1, T) or null
        this.mel = melTensor.DetachFromDisposeScope();
        z = noise.DetachFromDisposeScope();
    }

    /// <summary>The (folded, float32) model the chunks run on.</summary>
    public WaveGlow Model { get; }

    /// <summary>The inverse the vocoder's synthesizer runs (so a chunk equals the command's samples).</summary>
    internal IFlowInverse Flow { get; }

    private readonly Tensor? source;

    /// <summary>The chunk's harmonic source samples [Out0, Out1) as float32, or null for a model without a source.</summary>
    internal Tensor? SourceSlice(ChunkedInference.Chunk c) => source?.narrow(1, c.Out0, c.Out1 - c.Out0);

    /// <summary>Samples of the whole synthesis: F·hop.</summary>
    public long Samples { get; }

    /// <summary>Chunks in all.</summary>
    public int Count => plan.Count;

    /// <summary>The index of the next chunk to compute.</summary>
    public int Next { get; private set; }

    /// <summary>Whether every chunk has been computed.</summary>
    public bool Done => Next >= plan.Count;

    /// <summary>
    /// The shape of the next chunk's window, (mel frames, z steps): only windows of one shape can
    /// share a forward pass exactly (padding a shorter one would change its edge samples).
    /// </summary>
    public (long Frames, long Steps) NextWindow
    {
        get
        {
            var c = plan[Next];
            return (c.W1 - c.W0, c.Z1 - c.Z0);
        }
    }

    /// <summary>Frames of the whole mel.</summary>
    public long Frames => mel.shape[2];

    /// <summary>The next chunk's inputs: mel (1, n_mel, W) and z (1, g, S) views, and what it keeps.</summary>
    internal (Tensor Mel, Tensor Z, ChunkedInference.Chunk Chunk) NextInputs()
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        if (Done) throw new InvalidOperationException("the synthesis has no more chunks");
        var c = plan[Next];
        return (mel.narrow(2, c.W0, c.W1 - c.W0), z.narrow(2, c.Z0, c.Z1 - c.Z0), c);
    }

    /// <summary>Marks the next chunk as computed (its samples were handed out).</summary>
    internal void Advance() => Next++;

    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        mel.Dispose();
        z.Dispose();
        source?.Dispose();
    }
}
