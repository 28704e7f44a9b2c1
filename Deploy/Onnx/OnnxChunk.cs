namespace WaveFlow.Onnx;

/// <summary>
/// One chunk of a chunked synthesis: output samples [<paramref name="Out0"/>, <paramref name="Out1"/>)
/// computed over mel frames [<paramref name="W0"/>, <paramref name="W1"/>) and z steps
/// [<paramref name="Z0"/>, <paramref name="Z1"/>); the window's first sample is global sample
/// <paramref name="WindowSample0"/>.
/// </summary>
internal readonly record struct OnnxChunk(long Out0, long Out1, long W0, long W1, long Z0, long Z1, long WindowSample0)
{
    /// <summary>
    /// The chunks of a mel of <paramref name="frames"/> frames with <paramref name="steps"/> z steps:
    /// the libtorch vocoder's plan (ChunkedInference) without crossfade. Each chunk of C frames runs
    /// the graph over itself and <paramref name="context"/> frames each side (clipped at the ends,
    /// where the whole run zero-pads exactly as the chunk does) with the matching slice of the
    /// utterance's z, and keeps only its own C·hop samples: with the exported receptive field as
    /// context every kept sample sees exactly the inputs it sees in a whole-utterance run.
    /// </summary>
    public static IReadOnlyList<OnnxChunk> Plan(long frames, long steps, int chunkFrames, int context, int hop, int group)
    {
        long stepsPerFrame = hop / group, samples = steps * group;
        var plan = new List<OnnxChunk>();
        for (long c0 = 0; c0 * stepsPerFrame < steps; c0 += chunkFrames)
        {
            long c1 = Math.Min(c0 + chunkFrames, frames);
            long w0 = Math.Max(0, c0 - context), w1 = Math.Min(frames, c1 + context);
            plan.Add(new OnnxChunk(c0 * hop, Math.Min(c1 * hop, samples), w0, w1, w0 * stepsPerFrame, Math.Min(w1 * stepsPerFrame, steps), w0 * hop));
        }
        return plan;
    }
}
