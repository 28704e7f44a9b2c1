using System.Diagnostics;
using System.Text.Json.Nodes;
using WaveFlow.Core;
using WaveFlow.Core.IO;
using WaveFlow.Core.Serialization;
using WaveFlow.Tests.Support;
using WaveFlow.Training.Loop;
using WaveFlow.Training.Run;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace WaveFlow.Tests.Training;

/// <summary>
/// Training survives being killed and failing writes: stale temporary files go away on --resume
/// and never count as checkpoints; a failed checkpoint write keeps the previous checkpoint and
/// <c>latest</c>; and `waveflow train` killed with SIGKILL at several points (three of them in
/// the middle of a checkpoint write) resumes to the same losses and weights, bit for bit, as a
/// run never interrupted.
/// </summary>
public class CrashSafetyTests(ITestOutputHelper log)
{
    private static string TinyConfig(TempDir tmp, JsonObject train)
    {
        var json = JsonNode.Parse(File.ReadAllText(ConfigTests.ShippedConfig("waveflow-tiny.json")))!.AsObject();
        foreach (var (key, value) in train) json["train_config"]![key] = value?.DeepClone();
        var path = tmp[$"tiny-{Guid.NewGuid():N}.json"];
        File.WriteAllText(path, json.ToJsonString());
        return path;
    }

    [Fact]
    public void StaleTemporaryFilesAreRemovedOnResumeAndNeverCountAsCheckpoints()
    {
        using var tmp = new TempDir();
        var run = RunFolder.CreateNew(tmp["run"]);
        File.WriteAllText(run.ConfigPath, "{}");
        // What a writer killed mid-write leaves (another process id), and one of this process (a write under way).
        string guid = Guid.NewGuid().ToString("N");
        string stale = Path.Combine(run.CheckpointDir, $".waveflow-00000004.state.999999.{guid}.tmp");
        string staleWeights = Path.Combine(run.CheckpointDir, $".waveflow-00000004.safetensors.999999.{guid}.tmp");
        string staleLatest = Path.Combine(run.Root, $".latest.999999.{guid}.tmp");
        string mine = Path.Combine(run.CheckpointDir, $".waveflow-00000006.state.{Environment.ProcessId}.{guid}.tmp");
        string unrelated = Path.Combine(run.CheckpointDir, ".notes.tmp");
        foreach (var f in new[] { stale, staleWeights, staleLatest, mine, unrelated }) File.WriteAllBytes(f, new byte[100]);
        Assert.Empty(run.CheckpointIterations());                            // a temporary .state is not a checkpoint

        var reopened = RunFolder.OpenExisting(tmp["run"]);
        Assert.Equal(3, reopened.RemovedTemporaryFiles.Count);
        Assert.False(File.Exists(stale) || File.Exists(staleWeights) || File.Exists(staleLatest));
        Assert.True(File.Exists(mine) && File.Exists(unrelated));
    }

    [Theory]
    [InlineData("weights")]
    [InlineData("state")]
    public void AFailedCheckpointWriteKeepsThePreviousCheckpointAndLatest(string failing)
    {
        using var tmp = new TempDir();
        set_num_threads(1);
        var config = TinyConfig(tmp, new JsonObject { ["iters_per_checkpoint"] = 2, ["iters_per_validation"] = 1000 });
        using (var first = Trainer.Open(new TrainRequest(config, Fixture.Path_("corpus-mini"), tmp["run"], CPU, Iterations: 2)))
            first.Run(new NullObserver());
        var run = new RunFolder(tmp["run"]);
        Assert.Equal(2, run.LatestIteration());
        var before = File.ReadAllBytes(run.ModelPath(2));

        string target = failing == "weights" ? run.ModelPath(4) : run.StatePath(4);
        AtomicFile.InjectedFaults[target] = new IOException("No space left on device", 28);
        try
        {
            using var second = Trainer.Open(new TrainRequest(null, null, tmp["run"], CPU, Resume: true, Iterations: 4));
            var e = Assert.Throws<WaveFlowException>(() => second.Run(new NullObserver()));
            log.WriteLine(e.Message);
            Assert.StartsWith(target + ": not written: no space left on the device", e.Message);
            Assert.Contains($"checkpoint 4 was not saved, {run.LatestPointer} still names waveflow-00000002, which is intact", e.Message);
        }
        finally { AtomicFile.InjectedFaults.TryRemove(target, out _); }
        Assert.Equal(2, run.LatestIteration());
        Assert.Equal(before, File.ReadAllBytes(run.ModelPath(2)));
        Assert.False(File.Exists(run.ModelPath(4)) || File.Exists(run.StatePath(4)), "half of checkpoint 4 was left behind");
        Assert.Empty(Directory.GetFiles(run.CheckpointDir, "*.tmp"));
        // And the run goes on from checkpoint 2 once the disk has room again.
        using (var third = Trainer.Open(new TrainRequest(null, null, tmp["run"], CPU, Resume: true, Iterations: 4)))
            third.Run(new NullObserver());
        Assert.Equal(4, run.LatestIteration());
    }

    private sealed class NullObserver : ITrainingObserver
    {
        public void OnStep(StepReport step) { }
        public void OnValidation(ValidationReport v) { }
        public void OnMessage(string m) { }
    }

    private const int Iterations = 8;

    [Trait("Category", "Slow")]
    [Fact]
    public void SigkillAtSeveralPointsThenResumeGivesTheUninterruptedLossesAndWeights()
    {
        using var tmp = new TempDir();
        var config = TinyConfig(tmp, new JsonObject { ["iters_per_checkpoint"] = 2, ["iters_per_log"] = 1, ["iters_per_validation"] = 1000 });
        string corpus = Fixture.Path_("corpus-mini");
        string[] Args(string run, bool resume) => resume
            ? ["train", "--out", run, "--resume", "--iterations", $"{Iterations}", "--device", "cpu", "--threads", "1"]
            : ["train", "--config", config, "--data", corpus, "--out", run, "--iterations", $"{Iterations}", "--device", "cpu", "--threads", "1"];

        // The uninterrupted run.
        using (var straight = Child.Start(Args(tmp["straight"], false), writeDelayMs: 0)) Assert.Equal(0, straight.WaitForExit());

        // The same run killed four times: in a weights write, in a state write, in the `latest` write, and between checkpoints.
        // WAVEFLOW_DEBUG_WRITE_DELAY_MS holds every atomic write open for a while, so that a write is caught in the act.
        string runDir = tmp["killed"], checkpoints = Path.Combine(runDir, "checkpoints");
        var killPoints = new (string What, Func<bool> Reached)[]
        {
            ("during the weights write of a checkpoint", () => Temporaries(checkpoints).Any(f => f.Contains(".safetensors.") && !f.Contains("00000000"))),
            ("during the state write of a checkpoint", () => Temporaries(checkpoints).Any(f => f.Contains(".state.") && !f.Contains("00000000"))),
            ("during the write of latest", () => Temporaries(runDir).Any(f => f.StartsWith(".latest.", StringComparison.Ordinal)) && LatestAtLeast(runDir, 2)),
            ("between checkpoints", () => LatestAtLeast(runDir, 6)),
        };
        bool resume = false;
        int killedInWrite = 0;
        foreach (var (what, reached) in killPoints)
        {
            using var child = Child.Start(Args(runDir, resume), writeDelayMs: 150);
            bool killed = child.KillWhen(reached, TimeSpan.FromSeconds(120));
            int leftBehind = Temporaries(checkpoints).Count() + Temporaries(runDir).Count();
            log.WriteLine($"{(killed ? "killed" : "finished before being killed")} {what}; latest {ReadLatest(runDir)}; {leftBehind} temporary file(s) left");
            Assert.True(killed, $"the run ended before the kill point ({what})");
            if (what.StartsWith("during", StringComparison.Ordinal)) { Assert.True(leftBehind > 0); killedInWrite++; }
            resume = true;
        }
        using (var last = Child.Start(Args(runDir, resume: true), writeDelayMs: 0)) Assert.Equal(0, last.WaitForExit());
        Assert.Equal(3, killedInWrite);
        Assert.Empty(Temporaries(checkpoints));
        Assert.Empty(Temporaries(runDir));

        // Every loss any process logged equals the uninterrupted run's at that iteration, bit for bit, and all are there.
        var expected = Losses(tmp["straight"]);
        Assert.Equal(Enumerable.Range(1, Iterations).Select(i => (long)i), expected.Keys.Order());
        var logged = Directory.GetFiles(Path.Combine(runDir, "tensorboard")).SelectMany(ReadLosses).ToList();
        Assert.Equal(expected.Keys.Order(), logged.Select(l => l.Step).Distinct().Order());
        foreach (var (step, loss) in logged)
            Assert.True(loss == expected[step], $"iteration {step}: {loss:R} after the kills, {expected[step]:R} uninterrupted");
        var a = Safetensors.Read(new RunFolder(tmp["straight"]).ModelPath(Iterations)).Tensors;
        var b = Safetensors.Read(new RunFolder(runDir).ModelPath(Iterations)).Tensors;
        Assert.Equal(a.Keys.Order(), b.Keys.Order());
        foreach (var key in a.Keys) Assert.True(a[key].Data.AsSpan().SequenceEqual(b[key].Data), $"weights {key} differ");
    }

    private static IEnumerable<string> Temporaries(string dir) =>
        Directory.Exists(dir) ? Directory.GetFiles(dir).Select(f => Path.GetFileName(f)).Where(AtomicFile.IsTemporary) : [];

    private static string ReadLatest(string runDir) =>
        File.Exists(Path.Combine(runDir, "latest")) ? File.ReadAllText(Path.Combine(runDir, "latest")).Trim() : "(none)";

    private static bool LatestAtLeast(string runDir, long iteration)
    {
        try { return new RunFolder(runDir).LatestIteration() >= iteration; }
        catch (Exception e) when (e is IOException or WaveFlowException) { return false; }
    }

    private static Dictionary<long, float> Losses(string runDir) =>
        Directory.GetFiles(Path.Combine(runDir, "tensorboard")).SelectMany(ReadLosses).ToDictionary(l => l.Step, l => l.Loss);

    /// <summary>train/loss events of one event file; a record cut short by the kill ends the file.</summary>
    private static IEnumerable<(long Step, float Loss)> ReadLosses(string file)
    {
        var bytes = File.ReadAllBytes(file);
        var result = new List<(long, float)>();
        for (int pos = 0; bytes.Length - pos >= 16;)
        {
            long length = BitConverter.ToInt64(bytes, pos);
            if (length < 0 || length > bytes.Length - pos - 16) break;
            var e = Tensorboard.Event.Parser.ParseFrom(bytes, pos + 12, (int)length);
            foreach (var v in e.Summary?.Value ?? []) if (v.Tag == "train/loss") result.Add((e.Step, v.SimpleValue));
            pos += 16 + (int)length;
        }
        return result;
    }

    /// <summary>`waveflow train` in a child process (the CLI assembly next to the tests).</summary>
    private sealed class Child : IDisposable
    {
        private readonly Process _process;

        private Child(Process p) => _process = p;

        public static Child Start(string[] args, int writeDelayMs)
        {
            var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
            psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "waveflow.dll"));
            foreach (var a in args) psi.ArgumentList.Add(a);
            psi.Environment["WAVEFLOW_DEBUG_WRITE_DELAY_MS"] = writeDelayMs.ToString(System.Globalization.CultureInfo.InvariantCulture);
            var p = Process.Start(psi)!;
            p.OutputDataReceived += (_, _) => { };
            p.ErrorDataReceived += (_, _) => { };
            p.BeginOutputReadLine();
            p.BeginErrorReadLine();
            return new Child(p);
        }

        public int WaitForExit()
        {
            if (!_process.WaitForExit(TimeSpan.FromMinutes(5))) { _process.Kill(); throw new TimeoutException("waveflow train did not finish in 5 minutes"); }
            return _process.ExitCode;
        }

        /// <summary>Polls <paramref name="reached"/> every 2 ms; SIGKILLs the process the moment it holds. False if it exited first.</summary>
        public bool KillWhen(Func<bool> reached, TimeSpan limit)
        {
            var watch = Stopwatch.StartNew();
            while (!_process.HasExited && watch.Elapsed < limit)
            {
                if (reached())
                {
                    _process.Kill();                 // SIGKILL on Unix: no handler runs, nothing is flushed
                    _process.WaitForExit();
                    return true;
                }
                Thread.Sleep(2);
            }
            if (!_process.HasExited) { _process.Kill(); _process.WaitForExit(); }
            return false;
        }

        public void Dispose()
        {
            if (!_process.HasExited) { _process.Kill(); _process.WaitForExit(); }
            _process.Dispose();
        }
    }
}
