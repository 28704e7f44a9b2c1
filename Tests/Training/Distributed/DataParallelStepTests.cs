using System.Text.Json.Nodes;
using WaveFlow.Audio.Dsp;
using WaveFlow.Core;
using WaveFlow.Tests.Support;
using WaveFlow.Training.Config;
using WaveFlow.Training.Data;
using WaveFlow.Training.Distributed;
using WaveFlow.Training.Loop;
using WaveFlow.Vocoder;
using static TorchSharp.torch;

namespace WaveFlow.Tests.Training.Distributed;

/// <summary>The pieces of the data-parallel step that need no second process.</summary>
public class DataParallelStepTests
{
    private static TrainingConfig Tiny() => TrainingConfig.Load(ConfigTests.ShippedConfig("waveflow-tiny.json"));

    private static WaveGlow Model(TrainingConfig c)
    {
        using (InitRandom.Seeded(7)) return new WaveGlow(c.Model, c.Mel);
    }

    [Fact]
    public void GradientsInTheFlatBufferAreThoseOfPlainAutograd()
    {
        set_num_threads(1);
        var c = Tiny();
        var rng = new Random(3);
        var audio = Enumerable.Range(0, 2 * c.Data.SegmentLength).Select(_ => (float)(rng.NextDouble() * 0.2 - 0.1)).ToArray();
        var batch = new TrainingBatch(0, 0, audio, 2, c.Data.SegmentLength, ["a", "b"]);
        using var mel = new TorchMelSpectrogram(c.Mel, CPU);

        using var a = Model(c);
        using var adamA = optim.Adam(a.parameters(), 1e-3);
        using var step = new TrainStep(a, adamA, mel, CPU, 1.0, 5.0);
        var result = step.Run(batch, 1e-3);

        using var b = Model(c);
        using var scope = NewDisposeScope();
        var x = tensor(audio, [2, c.Data.SegmentLength]);                   // (B, L)
        var (z, logS, logDet) = b.Forward(x, mel.Compute(x));
        var loss = WaveGlowLoss.Compute(z, logS, logDet, 1.0);
        loss.backward();
        double norm = nn.utils.clip_grad_norm_(b.parameters(), 5.0);

        Assert.Equal(StepOutcome.Stepped, result.Outcome);
        Assert.True(Math.Abs(loss.item<float>() - result.Loss) <= 1e-6 * Math.Max(1, Math.Abs(result.Loss)), $"loss {result.Loss} vs {loss.item<float>()}");
        Assert.True(Math.Abs(norm - result.GradNorm) <= 1e-5 * Math.Max(1, norm), $"gradient norm {result.GradNorm} vs {norm}");
        // The step's gradients are views into one buffer, in parameter order.
        var flat = step.Gradients.data<float>().ToArray();
        long offset = 0;
        foreach (var p in b.parameters())
        {
            var expected = p.grad!.contiguous().data<float>().ToArray();
            var actual = flat.AsSpan((int)offset, expected.Length).ToArray();
            // Some gradients are exactly 0 at the first step (the zero-initialised `end` layers
            // cut the conditioning path), so the test is relative with an absolute floor.
            double diff = Math.Sqrt(actual.Zip(expected, (u, v) => (double)(u - v) * (u - v)).Sum());
            double size = Math.Sqrt(expected.Sum(v => (double)v * v));
            Assert.True(diff <= 1e-6 * size + 1e-12, $"gradient of a {string.Join("x", p.shape)} parameter differs by {diff:E2} (norm {size:E2})");
            offset += expected.Length;
        }
        Assert.Equal(flat.Length, offset);
        // After the step the parameters' .grad still alias the buffer (autograd and the optimizer work in place).
        using (no_grad())
        {
            foreach (var p in a.parameters()) p.grad!.fill_(1);
            Assert.Equal(flat.Length, step.Gradients.sum().item<float>());
        }
    }

    [Fact]
    public void StepsLeaveNoTensorsBehind()
    {
        set_num_threads(1);
        var c = Tiny();
        var audio = Enumerable.Range(0, 2 * c.Data.SegmentLength).Select(i => (float)Math.Sin(i * 0.01) * 0.1f).ToArray();
        var batch = new TrainingBatch(0, 0, audio, 2, c.Data.SegmentLength, ["a", "b"]);
        using var mel = new TorchMelSpectrogram(c.Mel, CPU);
        using var model = Model(c);
        using var adam = optim.Adam(model.parameters(), 1e-3);
        using var step = new TrainStep(model, adam, mel, CPU, 1.0, 5.0);
        step.Run(batch, 1e-3);                           // Adam makes its state on the first step
        var stats = TorchSharp.DisposeScopeManager.Statistics;
        long before = stats.ThreadTotalLiveCount;
        for (int i = 0; i < 3; i++) step.Run(batch, 1e-3, stopRequested: i == 2);
        Assert.Equal(before, stats.ThreadTotalLiveCount);
    }

    [Fact]
    public void TheWatchdogFiresOnAStalledCollectiveOnly()
    {
        var fired = new List<string>();
        using (var dog = new CollectiveWatchdog(TimeSpan.FromMilliseconds(300), r => { lock (fired) fired.Add(r); }))
        {
            for (int i = 0; i < 5; i++)
                using (dog.Enter("quick all-reduce")) Thread.Sleep(100);    // under the limit each time
            Thread.Sleep(500);                                             // outside any collective
            lock (fired) Assert.Empty(fired);
            using (dog.Enter("MPI all-reduce")) Thread.Sleep(1200);
        }
        var reason = Assert.Single(fired);
        Assert.StartsWith("MPI all-reduce made no progress for 0.3 s", reason);
    }

    [Fact]
    public void TheWatchdogReportsAnAsynchronousError()
    {
        string? reported = null;
        int polls = 0;
        using (new CollectiveWatchdog(TimeSpan.FromSeconds(60), r => reported = r, () => ++polls >= 3 ? "NCCL reported an asynchronous error: unhandled system error" : null))
            for (int i = 0; i < 100 && reported is null; i++) Thread.Sleep(100);
        Assert.Equal("NCCL reported an asynchronous error: unhandled system error", reported);
    }

    [Theory]
    [InlineData("nan@1")]
    [InlineData("explode@1:2")]
    [InlineData("throw@x:2")]
    public void FaultSpecificationsAreChecked(string spec)
    {
        var old = Environment.GetEnvironmentVariable(FaultInjection.Variable);
        try
        {
            Environment.SetEnvironmentVariable(FaultInjection.Variable, spec);
            var e = Assert.Throws<WaveFlowException>(FaultInjection.FromEnvironment);
            Assert.Contains(spec, e.Message);
        }
        finally
        {
            Environment.SetEnvironmentVariable(FaultInjection.Variable, old);
        }
    }

    [Fact]
    public void DistConfigIsReadCheckedAndWrittenBack()
    {
        using var tmp = new TempDir();
        var json = JsonNode.Parse(File.ReadAllText(ConfigTests.ShippedConfig("waveflow-tiny.json")))!.AsObject();
        json["dist_config"] = new JsonObject { ["dist_backend"] = "gloo", ["dist_url"] = "tcp://node0:1234", ["watchdog_seconds"] = 30 };
        File.WriteAllText(tmp["a.json"], json.ToJsonString());
        var c = TrainingConfig.Load(tmp["a.json"]);
        Assert.Equal(("gloo", 30.0), (c.Dist.DistBackend, c.Dist.WatchdogSeconds));
        Assert.Equal(c.Dist, TrainingConfig.Parse(c.ToJson(), "resolved").Dist);
        Assert.Equal("mpi", DistributedLaunch.Resolve("mpi", c.Dist, "cpu"));
        Assert.Equal("none", DistributedLaunch.Resolve(null, c.Dist, "cpu"));    // no launcher here

        json["dist_config"] = new JsonObject { ["dist_backend"] = "tcp" };
        File.WriteAllText(tmp["b.json"], json.ToJsonString());
        var e = Assert.Throws<WaveFlowException>(() => TrainingConfig.Load(tmp["b.json"]));
        Assert.Contains("dist_config.dist_backend must be one of nccl, mpi, gloo", e.Message);
        json["dist_config"] = new JsonObject { ["watchdog"] = 5 };
        File.WriteAllText(tmp["c.json"], json.ToJsonString());
        e = Assert.Throws<WaveFlowException>(() => TrainingConfig.Load(tmp["c.json"]));
        Assert.Contains("watchdog", e.Message);
        var bad = Assert.Throws<WaveFlowException>(() => DistributedLaunch.Resolve("horovod", c.Dist, "cpu"));
        Assert.Equal("--distributed horovod: expected none, mpi, nccl", bad.Message);
    }

    [Fact]
    public void AMissingLibraryIsOneLineWithTheNamesTriedAndTheRemedy()
    {
        var e = Assert.Throws<WaveFlowException>(() => NativeLibraryProbe.Load("NCCL", null, ["libnccl-missing.so.2", "libnccl-missing.so"], NcclLibrary.InstallHint));
        Assert.Equal(1, e.ExitCode);
        Assert.DoesNotContain('\n', e.Message);
        Assert.StartsWith("NCCL could not be loaded: looked for libnccl-missing.so.2, libnccl-missing.so; NCCL comes with PyTorch's CUDA wheels", e.Message);
    }
}
