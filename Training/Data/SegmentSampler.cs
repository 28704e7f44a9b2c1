using WaveFlow.Core;

namespace WaveFlow.Training.Data;

/// <summary>
/// Decides which clips and which crop of each go into the batch of a given iteration, the way
/// NVIDIA's Mel2Samp + DataLoader(shuffle=True, drop_last=True) does: each epoch visits the
/// training clips in a fresh random order, ⌊clips / batch⌋ batches per epoch; each clip gives one
/// random window of segment_length samples (clips shorter than that are zero-padded at the end).
/// Unlike a DataLoader, everything is a pure function of (seed, iteration): the epoch order comes
/// from a stream derived from (seed, epoch), each crop from (seed, iteration, slot). Resuming at
/// iteration i therefore reproduces the data of an uninterrupted run exactly.
/// </summary>
internal sealed class SegmentSampler
{
    private readonly int _clipCount, _batchSize, _segmentLength;
    private readonly long _seed;
    private long _orderEpoch = -1;
    private int[] _order = [];
    private readonly Lock _lock = new();

    public SegmentSampler(int clipCount, int batchSize, int segmentLength, long seed)
    {
        if (clipCount < batchSize)
            throw new WaveFlowException($"train_config.batch_size ({batchSize}) is larger than the {clipCount} training clips; lower batch_size or add clips");
        (_clipCount, _batchSize, _segmentLength, _seed) = (clipCount, batchSize, segmentLength, seed);
    }

    public int BatchesPerEpoch => _clipCount / _batchSize;

    public long EpochOf(long iteration) => iteration / BatchesPerEpoch;

    /// <summary>Indices (into the training clips) of the batch of <paramref name="iteration"/>.</summary>
    public int[] ClipsOf(long iteration)
    {
        long epoch = EpochOf(iteration);
        int first = (int)(iteration % BatchesPerEpoch) * _batchSize;
        lock (_lock)
        {
            if (epoch != _orderEpoch)
            {
                _order = Enumerable.Range(0, _clipCount).ToArray();
                SeededStream.Derive(_seed, Purpose.Order, epoch).Shuffle(_order);
                _orderEpoch = epoch;
            }
            return _order[first..(first + _batchSize)];
        }
    }

    /// <summary>Start of the window of slot <paramref name="slot"/> of <paramref name="iteration"/>
    /// in a clip of <paramref name="clipLength"/> samples (0 for clips no longer than a segment).</summary>
    public int CropStart(long iteration, int slot, int clipLength)
    {
        int maxStart = clipLength - _segmentLength;
        if (maxStart <= 0) return 0;
        // randint(0, max_audio_start) in NVIDIA's mel2samp: both ends included.
        return SeededStream.Derive(_seed, Purpose.Crop, iteration, slot).NextInt(maxStart + 1);
    }

    /// <summary>Builds the batch of <paramref name="iteration"/>, loading clips with <paramref name="load"/>;
    /// with <paramref name="firstSlot"/> and <paramref name="slots"/> only that part of it (one
    /// rank's share of a global batch: the crops depend on the slot, so the parts of N ranks
    /// together are exactly the batch one process would build).</summary>
    public TrainingBatch Make(long iteration, IReadOnlyList<CorpusClip> clips, Func<CorpusClip, float[]> load, int firstSlot = 0, int? slots = null)
    {
        int count = slots ?? _batchSize - firstSlot;
        if (firstSlot < 0 || count < 1 || firstSlot + count > _batchSize)
            throw new ArgumentOutOfRangeException(nameof(slots), $"slots [{firstSlot}, {firstSlot + count}) outside the batch of {_batchSize}");
        var indices = ClipsOf(iteration);
        var audio = new float[count * _segmentLength];
        var ids = new string[count];
        for (int i = 0; i < count; i++)
        {
            int slot = firstSlot + i;
            var clip = clips[indices[slot]];
            var samples = load(clip);
            int start = CropStart(iteration, slot, samples.Length);
            int n = Math.Min(_segmentLength, samples.Length - start);
            samples.AsSpan(start, n).CopyTo(audio.AsSpan(i * _segmentLength, n));   // the rest stays 0: padding
            ids[i] = clip.Id;
        }
        return new TrainingBatch(iteration, EpochOf(iteration), audio, count, _segmentLength, ids);
    }
}
