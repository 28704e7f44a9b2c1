using System.Threading.Channels;
using WaveFlow.Core;
using WaveFlow.Vocoder.Synthesis;

namespace WaveFlow.Serve;

/// <summary>
/// One request's synthesis as the <see cref="ChunkBatcher"/> sees it: the checked mel and noise
/// settings, the <see cref="PlannedSynthesis"/> the batcher makes from them on its own thread,
/// and the pieces of audio on their way to the response. At most <see cref="PiecesAhead"/>
/// pieces wait for a slow client; until it reads one the job gets no more chunks, so a client
/// that stops reading holds two pieces of memory, not its whole audio.
/// </summary>
internal sealed class SynthesisJob
{
    /// <summary>Computed pieces that may wait for the client.</summary>
    public const int PiecesAhead = 2;

    private readonly Channel<float[]> pieces = Channel.CreateBounded<float[]>(new BoundedChannelOptions(PiecesAhead) { SingleReader = true, SingleWriter = true });
    private volatile bool cancelled;

    public SynthesisJob(FloatArray mel, float sigma, long seed, int chunkFrames)
    {
        (Mel, Sigma, Seed, ChunkFrames) = (mel, sigma, seed, chunkFrames);
    }

    public FloatArray Mel { get; }
    public float Sigma { get; }
    public long Seed { get; }
    public int ChunkFrames { get; }

    /// <summary>Made by the batcher's thread (tensors live where they are used); null until then.</summary>
    public PlannedSynthesis? Synthesis { get; set; }

    /// <summary>When the job last got a chunk (or arrived): the batcher serves the longest-waiting first.</summary>
    public long WaitingSince { get; set; }

    /// <summary>The audio, piece by piece; completes after the last piece, or with the error that stopped the synthesis.</summary>
    public ChannelReader<float[]> Pieces => pieces.Reader;

    public bool Cancelled => cancelled;

    /// <summary>Whether the batcher may compute the job's next chunk now.</summary>
    public bool Ready => !cancelled && Synthesis is { Done: false } && pieces.Reader.Count < PiecesAhead;

    /// <summary>Hands out a computed piece (batcher thread); completes the stream after the last.</summary>
    public void Deliver(float[] piece)
    {
        pieces.Writer.TryWrite(piece);     // room is guaranteed: Ready checked it and only the batcher writes
        if (Synthesis!.Done) pieces.Writer.TryComplete();
    }

    /// <summary>Ends the stream with an error (batcher thread).</summary>
    public void Fail(Exception error) => pieces.Writer.TryComplete(error);

    /// <summary>The client went away or the request ended: the batcher drops the job at its next look.</summary>
    public void Cancel()
    {
        cancelled = true;
        pieces.Writer.TryComplete();
    }
}
