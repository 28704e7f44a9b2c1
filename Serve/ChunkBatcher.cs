using System.Diagnostics;
using WaveFlow.Core;
using WaveFlow.Vocoder.Synthesis;

namespace WaveFlow.Serve;

/// <summary>
/// Dynamic batching for one model: a single thread runs every chunk of every request on it. Each
/// round it takes the request that has waited longest for a chunk, and with it up to
/// max-batch − 1 other requests whose next chunk has a window of the same shape (middle chunks
/// of a given chunk length always do; first, last and single chunks when the lengths agree), and
/// computes those chunks in one forward pass (<see cref="BatchedChunks"/>). Each request's chunks
/// keep their exact context, so its audio is what it would be alone. Requests whose client has
/// not read its last pieces (<see cref="SynthesisJob.PiecesAhead"/>) wait; cancelled ones are
/// dropped at the next round. max-batch 1: one chunk per pass, requests interleaved chunk by chunk.
/// </summary>
internal sealed class ChunkBatcher : IDisposable
{
    /// <summary>How long the thread sleeps when no job is ready and nothing wakes it (a safety net; every change wakes it).</summary>
    private static readonly TimeSpan IdlePoll = TimeSpan.FromMilliseconds(100);

    private readonly ServedModel model;
    private readonly int maxBatch;
    private readonly ServeMetrics metrics;
    private readonly object gate = new();
    private readonly List<SynthesisJob> jobs = [];
    private readonly AutoResetEvent wake = new(false);
    private readonly Thread worker;
    private volatile bool stopping;

    public ChunkBatcher(ServedModel model, int maxBatch, ServeMetrics metrics)
    {
        (this.model, this.maxBatch, this.metrics) = (model, maxBatch, metrics);
        // One thread per model: TorchSharp's dispose scopes belong to a thread, and libtorch
        // already spreads one forward pass over the CPU's cores.
        worker = new Thread(Loop) { IsBackground = true, Name = $"waveflow-batcher-{model.Name}" };
        worker.Start();
    }

    /// <summary>Queues a job; its pieces appear on <see cref="SynthesisJob.Pieces"/>.</summary>
    public void Submit(SynthesisJob job)
    {
        lock (gate)
        {
            if (stopping) throw new ObjectDisposedException(nameof(ChunkBatcher), "the server is stopping");
            job.WaitingSince = Stopwatch.GetTimestamp();
            jobs.Add(job);
        }
        wake.Set();
    }

    /// <summary>Something changed (a piece was read, a job was cancelled): look again.</summary>
    public void Wake() => wake.Set();

    private void Loop()
    {
        while (true)
        {
            List<SynthesisJob> drop, prepare;
            lock (gate)
            {
                drop = stopping ? [.. jobs] : jobs.Where(j => j.Cancelled || j.Synthesis is { Done: true }).ToList();
                jobs.RemoveAll(drop.Contains);
                prepare = jobs.Where(j => j.Synthesis is null).ToList();
            }
            foreach (var job in drop)
            {
                job.Cancel();
                job.Synthesis?.Dispose();
            }
            if (stopping) return;
            foreach (var job in prepare) Prepare(job);

            List<SynthesisJob>? batch = null;
            lock (gate)
            {
                var ready = jobs.Where(j => j.Ready).ToList();
                if (ready.Count > 0)
                {
                    var shape = ready.MinBy(j => j.WaitingSince)!.Synthesis!.NextWindow;
                    batch = ready.Where(j => j.Synthesis!.NextWindow == shape).OrderBy(j => j.WaitingSince).Take(maxBatch).ToList();
                }
            }
            if (batch is null)
            {
                wake.WaitOne(IdlePoll);
                continue;
            }
            Run(batch);
        }
    }

    private void Prepare(SynthesisJob job)
    {
        try
        {
            job.Synthesis = new PlannedSynthesis(model.Vocoder, job.Mel, job.Sigma, job.Seed, job.ChunkFrames);
        }
        catch (Exception e)
        {
            job.Fail(e);
            job.Cancel();
        }
    }

    private void Run(List<SynthesisJob> batch)
    {
        float[][] pieces;
        try
        {
            pieces = BatchedChunks.Run(model.Vocoder.Loaded.Model, batch.Select(j => j.Synthesis!).ToList());
        }
        catch (Exception e)
        {
            var error = e as WaveFlowException ?? new WaveFlowException($"synthesis failed: {e.Message}", 1, e);
            foreach (var job in batch) { job.Fail(error); job.Cancel(); }
            return;
        }
        metrics.BatchSize.WithLabels(model.Name).Observe(batch.Count);
        long now = Stopwatch.GetTimestamp();
        for (int i = 0; i < batch.Count; i++)
        {
            batch[i].WaitingSince = now;
            batch[i].Deliver(pieces[i]);
        }
    }

    /// <summary>Stops the thread after the chunk in progress; every job left is cancelled and freed.</summary>
    public void Dispose()
    {
        lock (gate) stopping = true;
        wake.Set();
        worker.Join();
        wake.Dispose();
    }
}
