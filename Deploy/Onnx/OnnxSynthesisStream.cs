namespace WaveFlow.Onnx;

/// <summary>
/// One synthesis handed out chunk by chunk (see <see cref="OnnxSynthesizer.Stream"/>): the pieces
/// laid end to end are <see cref="OnnxSynthesizer.Synthesize"/>'s output bit for bit (the same
/// runs on the same inputs). Not thread-safe: one caller at a time.
/// </summary>
internal sealed class OnnxSynthesisStream
{
    private readonly OnnxSynthesizer synthesizer;
    private readonly float[] mel;     // [n_mel, frames]
    private readonly long frames;
    private readonly float[] z;       // [g, steps], σ·ε
    private readonly long steps;
    private readonly IReadOnlyList<OnnxChunk> plan;
    private int next;

    public OnnxSynthesisStream(OnnxSynthesizer synthesizer, float[] mel, long frames, float[] z, long steps, IReadOnlyList<OnnxChunk> plan)
    {
        (this.synthesizer, this.mel, this.frames, this.z, this.steps, this.plan) = (synthesizer, mel, frames, z, steps, plan);
    }

    /// <summary>Pieces in all.</summary>
    public int Count => plan.Count;

    /// <summary>Samples in all.</summary>
    public long Samples => plan[^1].Out1;

    /// <summary>Whether every piece has been handed out.</summary>
    public bool Done => next >= plan.Count;

    /// <summary>Computes and returns the next piece of audio.</summary>
    public float[] Next()
    {
        if (Done) throw new InvalidOperationException("the synthesis has no more pieces");
        return synthesizer.RunChunk(mel, frames, z, steps, plan[next++]);
    }
}
