using System.Threading.Channels;

namespace WaveFlow.Training.Data;

/// <summary>
/// Reads and crops the batches of the coming iterations on a background thread, at most
/// <c>capacity</c> ahead (a bounded producer/consumer queue), so the training device does not
/// wait on the disk. The order is fixed by the iteration numbers, not by thread timing, so
/// prefetching never changes the result. A failure while reading (a bad wav) is rethrown by
/// <see cref="Next"/> with its original message.
/// </summary>
internal sealed class BatchPrefetcher : IDisposable
{
    private readonly Channel<TrainingBatch> _queue;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _producer;

    /// <param name="makeBatch">Builds the batch of one iteration (runs on the background thread).</param>
    /// <param name="first">The first iteration to prepare.</param>
    /// <param name="endExclusive">One past the last iteration to prepare.</param>
    /// <param name="capacity">Batches kept ready ahead of the consumer.</param>
    public BatchPrefetcher(Func<long, TrainingBatch> makeBatch, long first, long endExclusive, int capacity)
    {
        _queue = Channel.CreateBounded<TrainingBatch>(new BoundedChannelOptions(capacity)
        {
            SingleReader = true,
            SingleWriter = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        var token = _stop.Token;
        _producer = Task.Factory.StartNew(async () =>
        {
            try
            {
                for (long i = first; i < endExclusive; i++)
                {
                    token.ThrowIfCancellationRequested();
                    await _queue.Writer.WriteAsync(makeBatch(i), token).ConfigureAwait(false);
                }
                _queue.Writer.TryComplete();
            }
            catch (Exception e)
            {
                _queue.Writer.TryComplete(e);
            }
        }, token, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap();
    }

    /// <summary>The next batch, waiting for it if needed; null when all are consumed.</summary>
    public TrainingBatch? Next(CancellationToken cancel = default)
    {
        try
        {
            var reader = _queue.Reader;
            TrainingBatch? batch;
            while (!reader.TryRead(out batch))
            {
                // WaitToReadAsync faults with the producer's exception if it failed.
                if (!reader.WaitToReadAsync(cancel).AsTask().GetAwaiter().GetResult()) return null;
            }
            return batch;
        }
        catch (ChannelClosedException e) when (e.InnerException is not null)
        {
            // Rethrow the producer's own exception (e.g. a WaveFlowException naming a wav file).
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerException).Throw();
            throw;
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        try { _producer.Wait(TimeSpan.FromSeconds(10)); } catch (AggregateException) { }
        _stop.Dispose();
    }
}
