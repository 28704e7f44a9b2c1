using WaveFlow.Core;
using WaveFlow.Training.Data;

namespace WaveFlow.Tests.Training;

public class SamplerTests
{
    // Clip k holds the values k*1000 + 1, k*1000 + 2, ...: any window can be traced back to its clip and start.
    private static readonly int[] Lengths = [50, 120, 100, 7, 300, 64, 99];
    private static readonly CorpusClip[] Clips = Lengths.Select((_, k) => new CorpusClip($"c{k}", $"c{k}.wav")).ToArray();
    private static float[] Load(CorpusClip c)
    {
        int k = int.Parse(c.Id[1..]);
        return Enumerable.Range(1, Lengths[k]).Select(i => (float)(k * 1000 + i)).ToArray();
    }

    [Fact]
    public void EachEpochVisitsEveryClipOnceInANewOrder()
    {
        var sampler = new SegmentSampler(7, 2, 64, seed: 3);
        Assert.Equal(3, sampler.BatchesPerEpoch);                          // drop_last: 7 clips → 3 batches of 2
        var epoch0 = Enumerable.Range(0, 3).SelectMany(i => sampler.ClipsOf(i)).ToList();
        var epoch1 = Enumerable.Range(3, 3).SelectMany(i => sampler.ClipsOf(i)).ToList();
        Assert.Equal(6, epoch0.Distinct().Count());
        Assert.Equal(6, epoch1.Distinct().Count());
        Assert.NotEqual(epoch0, epoch1);
        Assert.Equal(1, sampler.EpochOf(5));
    }

    [Fact]
    public void CropsAreWindowsOfTheClipAndShortClipsAreZeroPadded()
    {
        const int L = 64;
        var sampler = new SegmentSampler(7, 7, L, seed: 11);
        var starts = new HashSet<int>();
        for (long it = 0; it < 40; it++)
        {
            var batch = sampler.Make(it, Clips, Load);
            for (int slot = 0; slot < 7; slot++)
            {
                int k = int.Parse(batch.Ids[slot][1..]);
                var row = batch.Audio.AsSpan(slot * L, L);
                int start = (int)(row[0] - k * 1000) - 1;
                int valid = Math.Min(L, Lengths[k]);
                for (int i = 0; i < valid; i++) Assert.Equal(k * 1000 + start + i + 1, row[i]);   // contiguous window
                for (int i = valid; i < L; i++) Assert.Equal(0f, row[i]);                         // padding at the end
                Assert.InRange(start, 0, Math.Max(0, Lengths[k] - L));
                if (k == 4) starts.Add(start);
            }
        }
        Assert.True(starts.Count > 20, $"crops of the 300-sample clip should vary, got {starts.Count} distinct starts");
        Assert.Contains(0, new[] { new SegmentSampler(7, 7, L, 11).CropStart(0, 0, L) });   // exact fit: start 0
    }

    [Fact]
    public void BatchesArePureFunctionsOfSeedAndIteration()
    {
        var a = new SegmentSampler(7, 3, 32, seed: 5);
        var b = new SegmentSampler(7, 3, 32, seed: 5);
        var c = new SegmentSampler(7, 3, 32, seed: 6);
        var late = b.Make(9, Clips, Load);               // b jumps straight to iteration 9 (a resumed run)
        for (long i = 0; i < 9; i++) a.Make(i, Clips, Load);
        Assert.Equal(a.Make(9, Clips, Load).Audio, late.Audio);
        Assert.NotEqual(c.Make(9, Clips, Load).Audio, late.Audio);
    }

    [Fact]
    public void BatchLargerThanCorpusIsAConfigError()
    {
        var e = Assert.Throws<WaveFlowException>(() => new SegmentSampler(3, 12, 16000, 1));
        Assert.Contains("batch_size (12)", e.Message);
    }

    [Fact]
    public void PrefetcherKeepsOrderAndRethrowsReaderErrors()
    {
        var sampler = new SegmentSampler(7, 2, 16, seed: 1);
        using (var prefetch = new BatchPrefetcher(i => sampler.Make(i, Clips, Load), 4, 10, capacity: 2))
        {
            for (long i = 4; i < 10; i++) Assert.Equal(sampler.Make(i, Clips, Load).Audio, prefetch.Next()!.Audio);
            Assert.Null(prefetch.Next());
        }
        using var failing = new BatchPrefetcher(i => i < 2 ? sampler.Make(i, Clips, Load) : throw WaveFlowException.ForFile("bad.wav", "truncated"), 0, 10, 4);
        Assert.NotNull(failing.Next());
        Assert.NotNull(failing.Next());
        var e = Assert.Throws<WaveFlowException>(() => failing.Next());
        Assert.Equal("bad.wav: truncated", e.Message);
    }

    [Fact]
    public void SeededStreamStateRestoresTheSequence()
    {
        var s = SeededStream.Derive(42, Purpose.Crop, 3);
        s.NextUInt64();
        var copy = new SeededStream(s.State);
        Assert.Equal(Enumerable.Range(0, 5).Select(_ => s.NextInt(1000)), Enumerable.Range(0, 5).Select(_ => copy.NextInt(1000)));
        var counts = new int[4];
        var u = new SeededStream(1);
        for (int i = 0; i < 40000; i++) counts[u.NextInt(4)]++;
        Assert.All(counts, c => Assert.InRange(c, 9600, 10400));       // uniform within ~4.6 sigma
    }
}
