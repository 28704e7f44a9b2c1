using WaveFlow.Core;
using WaveFlow.Core.Runtime;
using static TorchSharp.torch;

namespace WaveFlow.Vocoder.Synthesis;

/// <summary>
/// The next chunks of several <see cref="PlannedSynthesis"/> in one <see cref="WaveGlow.Inverse"/>
/// call: their windows, all of one shape, stacked along the batch axis. Each batch element sees
/// exactly its own window (the flows mix channels and time, never batch elements), so each
/// synthesis gets the samples its chunk gets alone; with the in-place inference path the
/// elements run one after another inside the call and the result is bit for bit the same.
/// </summary>
internal static class BatchedChunks
{
    /// <summary>
    /// Computes the next chunk of every synthesis (all on <paramref name="model"/>, windows of one
    /// shape), advances each, and returns each chunk's kept samples (float32) in order.
    /// </summary>
    public static float[][] Run(WaveGlow model, IReadOnlyList<PlannedSynthesis> syntheses)
    {
        if (syntheses.Count == 0) return [];
        var shape = syntheses[0].NextWindow;
        foreach (var s in syntheses)
        {
            if (!ReferenceEquals(s.Model, model)) throw new WaveFlowException("batched chunks: every synthesis must run on the same model");
            if (s.NextWindow != shape)
                throw new WaveFlowException($"batched chunks: windows of {s.NextWindow} and {shape} (frames, steps) cannot share a forward pass exactly");
        }
        using var gcGuard = ScalarGuard.Enter();      // see ScalarGuard: TorchSharp's Scalars vs the GC
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var inputs = syntheses.Select(s => s.NextInputs()).ToList();
        var mel = inputs.Count == 1 ? inputs[0].Mel : cat(inputs.Select(i => i.Mel).ToList(), 0);    // (B, n_mel, W)
        var z = inputs.Count == 1 ? inputs[0].Z : cat(inputs.Select(i => i.Z).ToList(), 0);          // (B, g, S)
        var audio = syntheses[0].Flow.Inverse(z, mel).to(ScalarType.Float32);                        // (B, window samples)
        var pieces = new float[inputs.Count][];
        for (int b = 0; b < inputs.Count; b++)
        {
            var c = inputs[b].Chunk;
            // The window's sample 0 is global sample WindowSample0; keep [Out0, Out1) (no crossfade).
            var own = audio[b].narrow(0, c.Out0 - c.WindowSample0, c.Out1 - c.Out0);                    // (chunk samples)
            if (syntheses[b].SourceSlice(c) is { } source) own = own + source[0];
            using var kept = own.cpu();
            pieces[b] = kept.data<float>().ToArray();
            syntheses[b].Advance();
        }
        return pieces;
    }
}
