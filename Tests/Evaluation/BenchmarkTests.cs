using WaveFlow.Evaluation.Benchmarks;
using WaveFlow.Tests.Support;
using WaveFlow.Vocoder;
using static TorchSharp.torch;

namespace WaveFlow.Tests.Evaluation;

/// <summary>The benchmark's measuring pieces: medians, peak memory, and rows made of consistent numbers.</summary>
[Collection(ProcessWideMeasurement.Name)]
public class BenchmarkTests
{
    [Fact]
    public void MedianOfOddAndEvenCounts()
    {
        Assert.Equal(3.0, new Timing([5, 1, 3]).MedianMs);
        Assert.Equal(2.5, new Timing([4, 1, 3, 2]).MedianMs);
        Assert.Equal(1.0, new Timing([4, 1, 3, 2]).MinMs);
    }

    [Fact]
    public void HostPeakSeesAnAllocationThatIsGoneAgain()
    {
        long peak, start, after;
        using (var memory = HostMemory.Begin())
        {
            start = memory.StartBytes;
            // Native memory, as libtorch allocates it: a managed array could land in pages the
            // GC already holds resident from earlier tests and move nothing. 256 MB is served by
            // mmap and returned by munmap, so it is resident only while held.
            const int size = 256 << 20;
            var block = System.Runtime.InteropServices.Marshal.AllocHGlobal(size);
            for (int i = 0; i < size; i += 4096) System.Runtime.InteropServices.Marshal.WriteByte(block, i, 1);   // touch every page: resident
            System.Runtime.InteropServices.Marshal.FreeHGlobal(block);
            after = HostMemory.CurrentBytes();
            peak = memory.PeakBytes;
        }
        Assert.True(peak - start >= 200L << 20, $"peak {peak >> 20} MB, start {start >> 20} MB");
        // The kernel's RSS counters are batched per thread (up to 64 pages each), so two readings
        // agree only to a few MB.
        Assert.True(peak >= after - (8L << 20), $"peak {peak >> 20} MB below the current {after >> 20} MB");
    }

    [Fact]
    public void SynthesisRowIsConsistentAndChunkedErrorIsTiny()
    {
        using var model = ModelFixture.Load("micro");
        var row = SynthesisBenchmark.Run(model, "synthesis", seconds: 0.5, batch: 1, Precision.Fp32, CPU, warmUp: 0, repeats: 3);
        Assert.Equal(3, row.TimesMs.Count);
        long samples = (long)Math.Round(0.5 * 22050 / 256) * 256;             // 43 frames
        Assert.Equal(samples / 22050.0, row.AudioSeconds, 9);
        Assert.Equal(samples / (row.MedianMs / 1000) / 1000, row.ThroughputKHz, 6);
        Assert.Equal(row.AudioSeconds / (row.MedianMs / 1000), row.RealTime!.Value, 6);
        Assert.True(row.PeakHostBytes >= row.HostStartBytes - (8L << 20), $"peak {row.PeakHostBytes >> 20} MB, start {row.HostStartBytes >> 20} MB");

        // Streamed: 43 frames in chunks of 10 → 5 chunks; the first arrives within the same
        // repeat as the whole stream, so its median cannot exceed the whole stream's.
        var streamed = StreamingBenchmark.Run(model, seconds: 0.5, chunkFrames: 10, Precision.Fp32, CPU, warmUp: 0, repeats: 3);
        Assert.Equal(3, streamed.TimesMs.Count);
        Assert.Equal(samples / 22050.0, streamed.AudioSeconds, 9);
        double wholeStreamMs = row.AudioSeconds / streamed.RealTime!.Value * 1000;
        Assert.True(streamed.MedianMs <= wholeStreamMs, $"first audio {streamed.MedianMs} ms, whole stream {wholeStreamMs} ms");
        Assert.Contains("all 5 chunk(s) of 10 frames", streamed.Note);

        var (rel, seam, peak) = SynthesisBenchmark.ChunkedError(model, seconds: 1.0, chunkFrames: 20, CPU);
        Assert.True(rel < 1e-5, $"relative L2 {rel:G3}");
        Assert.True(seam < 1e-5 * peak, $"seam error {seam:G3}");
    }

    [Fact]
    public void TrainingRowTimesTheTrainersStep()
    {
        using var model = ModelFixture.Load("micro");
        var row = TrainingBenchmark.Run(model.Options, model.Mel, CPU, batch: 2, segment: 2048, warmUp: 1, repeats: 2);
        Assert.Equal("train step (Adam) 2 × 2048", row.Case);
        Assert.Equal(2, row.TimesMs.Count);
        Assert.Null(row.Note);                                               // every step stepped
        Assert.Equal(2.0 * 2048 / (row.MedianMs / 1000) / 1000, row.ThroughputKHz, 6);
        Assert.Equal(2048 / 22050.0, row.AudioSeconds, 9);
    }
}
