using WaveFlow.Core.Runtime;
using static TorchSharp.torch;

namespace WaveFlow.Vocoder.Synthesis;

/// <summary>
/// One synthesis handed out piece by piece (see <see cref="Synthesizer.Stream"/>): either the
/// chunks of a <see cref="ChunkedInference.Plan"/>, each computed by <see cref="Next"/>, or a
/// single piece computed by a function. Owns the mel and noise tensors of a chunked synthesis
/// (outside every dispose scope, so that <see cref="Next"/> may run on any thread: TorchSharp's
/// dispose scopes belong to one thread, and each call opens and closes its own).
/// Not thread-safe: one caller at a time (the inverse it runs is shared).
/// </summary>
internal sealed class SynthesisStream : IDisposable
{
    private readonly IFlowInverse? flow;
    private readonly Tensor? mel;     // (1, n_mel, F)
    private readonly Tensor? z;       // (1, g, F·hop/g)
    private readonly Tensor? source;  // (1, F·hop): the harmonic source, or null
    private readonly IReadOnlyList<ChunkedInference.Chunk> plan;
    private readonly Func<float[]>? whole;
    private int next;
    private bool disposed;

    public SynthesisStream(IFlowInverse flow, Tensor mel, Tensor z, IReadOnlyList<ChunkedInference.Chunk> plan, Tensor? source = null)
    {
        (this.flow, this.mel, this.z, this.plan, this.source) = (flow, mel, z, plan, source);
    }

    public SynthesisStream(Func<float[]> whole)
    {
        this.whole = whole;
        plan = [];
    }

    /// <summary>Pieces in all.</summary>
    public int Count => whole is null ? plan.Count : 1;

    /// <summary>Whether every piece has been handed out.</summary>
    public bool Done => next >= Count;

    /// <summary>Computes and returns the next piece of audio (float32 samples).</summary>
    public float[] Next()
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        if (Done) throw new InvalidOperationException("the synthesis has no more pieces");
        if (whole is not null) { next++; return whole(); }
        using var gcGuard = ScalarGuard.Enter();      // see ScalarGuard: TorchSharp's Scalars vs the GC
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var chunk = plan[next++];
        var piece = ChunkedInference.InferChunk(flow!, mel!, z!, chunk).to(ScalarType.Float32);   // (1, chunk samples)
        if (source is not null) piece = piece + source.narrow(1, chunk.Out0 - chunk.Fade, piece.shape[1]);
        using var cpu = piece.reshape(-1).cpu();
        return cpu.data<float>().ToArray();
    }

    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        mel?.Dispose();
        z?.Dispose();
        source?.Dispose();
    }
}
