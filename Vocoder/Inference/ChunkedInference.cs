using WaveFlow.Core;
using static TorchSharp.torch;

namespace WaveFlow.Vocoder.Synthesis;

/// <summary>
/// Synthesis of long mels in bounded memory. The mel is cut into chunks of C frames; each chunk
/// runs the inverse (<see cref="IFlowInverse"/>) over itself plus K frames of context on each side, with
/// the matching slice of the whole utterance's noise z, and only its own C·hop samples are kept.
/// Because z is sliced rather than drawn per chunk, the result is defined by the same ε as
/// whole-utterance synthesis, and with K ≥ <see cref="ReceptiveField.ContextFrames"/> it equals
/// it to float rounding: every kept sample sees exactly the inputs it sees in the whole run.
/// Peak memory is then that of one (C + 2K)-frame synthesis, whatever the length.
/// </summary>
internal static class ChunkedInference
{
    /// <summary>
    /// mel (B, n_mel, F) and z (B, n_group, S) with S·n_group ≤ F·hop (as for
    /// <see cref="WaveGlow.Inverse"/>) → audio (B, S·n_group), computed chunk by chunk.
    /// </summary>
    /// <param name="flow">the inverse to run (the model itself or a fast path; its weight norm may be folded or not)</param>
    /// <param name="mel">(B, n_mel, F)</param>
    /// <param name="z">(B, n_group, S): the whole utterance's noise, σ·ε</param>
    /// <param name="chunkFrames">mel frames kept per chunk (C)</param>
    /// <param name="contextFrames">frames of context each side (K); null: the exact receptive field
    /// (plus the crossfade)</param>
    /// <param name="crossfadeSamples">if &gt; 0, each seam is a linear crossfade over this many
    /// samples taken from the next chunk's context; useful only with a context below the
    /// receptive field, where the two sides of a seam differ slightly</param>
    public static Tensor Infer(IFlowInverse flow, Tensor mel, Tensor z, int chunkFrames, int? contextFrames = null, int crossfadeSamples = 0)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var plan = Plan(flow.Model, mel, z, chunkFrames, contextFrames, crossfadeSamples);
        var audio = empty(z.shape[0], z.shape[2] * flow.Model.Options.NGroup, dtype: z.dtype, device: z.device);   // (B, T)
        foreach (var chunk in plan)
        {
            using var chunkScope = NewDisposeScope();
            var kept = InferChunk(flow, mel, z, chunk);                              // (B, fade + chunk)
            if (chunk.Fade > 0)
            {
                // Linear crossfade over the fade samples before the seam: the previous chunk's
                // samples there (already written) fade out while this chunk's fade in.
                var w = (arange(chunk.Fade, dtype: ScalarType.Float64, device: z.device) + 0.5).div(chunk.Fade).to(z.dtype);   // (fade)
                var previous = audio.narrow(1, chunk.Out0 - chunk.Fade, chunk.Fade);
                previous.copy_(previous * (1 - w) + kept.narrow(1, 0, chunk.Fade) * w);
            }
            audio.narrow(1, chunk.Out0, chunk.Out1 - chunk.Out0).copy_(kept.narrow(1, chunk.Fade, chunk.Out1 - chunk.Out0));
        }
        return audio.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The chunks <see cref="Infer"/> computes, in order, after checking the arguments as it does.
    /// Streaming synthesis runs them one by one through <see cref="InferChunk"/>: without a
    /// crossfade each chunk's samples are final when it is computed, and the chunks laid end to end
    /// are <see cref="Infer"/>'s output bit for bit (the same operations on the same inputs).
    /// </summary>
    public static IReadOnlyList<Chunk> Plan(WaveGlow model, Tensor mel, Tensor z, int chunkFrames, int? contextFrames = null, int crossfadeSamples = 0)
    {
        int g = model.Options.NGroup, hop = model.Mel.HopLength;
        // A crossfade keeps samples from the next chunk's context, so by default the context
        // grows by the fade: those samples must be exact too, not only the chunk's own.
        int context = contextFrames ?? ReceptiveField.ContextFrames(model.Options, model.Mel) + (crossfadeSamples + hop - 1) / hop;
        Check(mel, z, chunkFrames, context, crossfadeSamples, g, hop);

        long frames = mel.shape[2], steps = z.shape[2], samples = steps * g;
        long stepsPerFrame = hop / g;                 // z steps per mel frame (hop is a multiple of g)
        var plan = new List<Chunk>();
        for (long c0 = 0; c0 * stepsPerFrame < steps; c0 += chunkFrames)
        {
            long c1 = Math.Min(c0 + chunkFrames, frames);
            // The window: the chunk and its context, clipped at the utterance's ends (where the
            // whole run zero-pads exactly as the chunk does, so no context is needed there).
            long w0 = Math.Max(0, c0 - context), w1 = Math.Min(frames, c1 + context);
            long z0 = w0 * stepsPerFrame, z1 = Math.Min(w1 * stepsPerFrame, steps);
            long out0 = c0 * hop, out1 = Math.Min(c1 * hop, samples);
            plan.Add(new Chunk(out0, out1, c0 == 0 ? 0 : crossfadeSamples, w0, w1, z0, z1, w0 * hop));
        }
        return plan;
    }

    /// <summary>
    /// One chunk of <see cref="Plan"/>: the inverse over its window, of which the samples
    /// [Out0 − Fade, Out1) are kept → (B, Fade + Out1 − Out0).
    /// </summary>
    public static Tensor InferChunk(IFlowInverse flow, Tensor mel, Tensor z, Chunk chunk)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var part = flow.Inverse(z.narrow(2, chunk.Z0, chunk.Z1 - chunk.Z0),    // (B, g, window steps)
            mel.narrow(2, chunk.W0, chunk.W1 - chunk.W0));                       // (B, window samples)
        // part's sample 0 is global sample WindowSample0.
        return part.narrow(1, chunk.Out0 - chunk.Fade - chunk.WindowSample0, chunk.Out1 - chunk.Out0 + chunk.Fade)   // (B, fade + chunk)
            .MoveToOuterDisposeScope();
    }

    /// <summary>
    /// One chunk: output samples [<paramref name="Out0"/>, <paramref name="Out1"/>) with
    /// <paramref name="Fade"/> crossfade samples before them, computed over mel frames
    /// [<paramref name="W0"/>, <paramref name="W1"/>) and z steps [<paramref name="Z0"/>,
    /// <paramref name="Z1"/>); the window's first sample is global sample <paramref name="WindowSample0"/>.
    /// </summary>
    internal readonly record struct Chunk(long Out0, long Out1, long Fade, long W0, long W1, long Z0, long Z1, long WindowSample0);

    private static void Check(Tensor mel, Tensor z, int chunkFrames, int context, int crossfade, int g, int hop)
    {
        if (mel.dim() != 3 || z.dim() != 3)
            throw new WaveFlowException($"chunked inference: mel must be (B, n_mel, F) and z (B, n_group, S), got {mel.dim()} and {z.dim()} axes");
        if (z.shape[1] != g)
            throw new WaveFlowException($"chunked inference: z has {z.shape[1]} channels, n_group is {g}");
        if (mel.shape[0] != z.shape[0])
            throw new WaveFlowException($"chunked inference: mel batch {mel.shape[0]} differs from z batch {z.shape[0]}");
        if (hop % g != 0)
            throw new WaveFlowException($"chunked inference: hop_length {hop} is not a multiple of n_group {g}, chunks would not align with z");
        if (z.shape[2] * g > mel.shape[2] * hop)
            throw new WaveFlowException($"chunked inference: {mel.shape[2]} mel frames give {mel.shape[2] * hop} samples, z asks for {z.shape[2] * g}");
        if (chunkFrames < 1)
            throw new WaveFlowException($"chunked inference: chunk length must be at least 1 frame, got {chunkFrames}");
        if (context < 0)
            throw new WaveFlowException($"chunked inference: context must not be negative, got {context} frames");
        if (crossfade < 0 || crossfade > (long)context * hop || crossfade > (long)chunkFrames * hop)
            throw new WaveFlowException($"chunked inference: crossfade of {crossfade} samples must lie within 0 and both the context ({context * hop} samples) and the chunk ({chunkFrames * hop} samples)");
    }
}
