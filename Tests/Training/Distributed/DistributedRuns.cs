using System.Text.Json.Nodes;
using WaveFlow.Core;
using WaveFlow.Core.Serialization;
using WaveFlow.Tests.Support;
using WaveFlow.Training.Data;
using WaveFlow.Training.Logging;
using WaveFlow.Training.Loop;
using WaveFlow.Training.Run;

namespace WaveFlow.Tests.Training.Distributed;

/// <summary>Configs, arguments and read-back for the multi-process training tests (tiny config,
/// six-clip fixture corpus: 4 training clips).</summary>
internal static class DistributedRuns
{
    public static readonly TimeSpan Limit = TimeSpan.FromSeconds(150);

    /// <summary>configs/waveflow-tiny.json with batch_size <paramref name="batch"/>, a loss logged every
    /// iteration, checkpoints every 2, validation every 3, and <paramref name="extra"/> keys.</summary>
    public static string Config(TempDir tmp, int batch, JsonObject? extra = null, JsonObject? dist = null)
    {
        var json = JsonNode.Parse(File.ReadAllText(ConfigTests.ShippedConfig("waveflow-tiny.json")))!.AsObject();
        var train = json["train_config"]!.AsObject();
        train["batch_size"] = batch;
        train["iters_per_log"] = 1;
        train["iters_per_checkpoint"] = 2;
        train["iters_per_validation"] = 3;
        train["keep_last"] = 20;
        foreach (var (key, value) in extra ?? []) train[key] = value?.DeepClone();
        if (dist is not null) json["dist_config"] = dist.DeepClone();
        var path = tmp[$"tiny-{Guid.NewGuid():N}.json"];
        File.WriteAllText(path, json.ToJsonString());
        return path;
    }

    public static string[] Train(string config, string run, long iterations, string backend = "mpi", bool resume = false) =>
        ["train", "--config", config, "--data", Fixture.Path_("corpus-mini"), "--out", run, "--device", "cpu",
         "--distributed", backend, "--threads", "1", "--iterations", iterations.ToString(), .. (resume ? new[] { "--resume" } : [])];

    /// <summary>The same run in this process, one rank (the reference).</summary>
    public static void TrainHere(string config, string run, long iterations, Func<TrainingBatch, TrainingBatch>? hook = null)
    {
        TorchSharp.torch.set_num_threads(1);
        using var trainer = Trainer.Open(new TrainRequest(config, Fixture.Path_("corpus-mini"), run, TorchSharp.torch.CPU, Iterations: iterations, BatchHook: hook));
        trainer.Run();
    }

    public static IReadOnlyDictionary<string, FloatArray> Weights(string run, long iteration) =>
        Safetensors.Read(new RunFolder(run).ModelPath(iteration)).Tensors;

    /// <summary>The largest relative L2 difference over all tensors.</summary>
    public static double MaxRelative(IReadOnlyDictionary<string, FloatArray> a, IReadOnlyDictionary<string, FloatArray> b)
    {
        Assert.Equal(b.Keys.Order(), a.Keys.Order());
        return a.Keys.Max(k => Fixture.RelativeL2(a[k].Data, b[k].Data));
    }

    /// <summary>train/loss by iteration from every TensorBoard file of the run (a resumed run adds one).</summary>
    public static SortedDictionary<long, double> Losses(string run)
    {
        var losses = new SortedDictionary<long, double>();
        foreach (var file in Directory.GetFiles(new RunFolder(run).TensorBoardDir))
            foreach (var e in TensorBoardWriter.ReadEvents(file))
                foreach (var v in e.Summary?.Value ?? [])
                    if (v.Tag == "train/loss") losses[e.Step] = v.SimpleValue;
        return losses;
    }

    public static void AssertSameLosses(SortedDictionary<long, double> expected, SortedDictionary<long, double> actual, double tolerance)
    {
        Assert.Equal(expected.Keys, actual.Keys);
        foreach (var (it, loss) in expected)
            Assert.True(Math.Abs(actual[it] - loss) <= tolerance * Math.Max(1, Math.Abs(loss)), $"iteration {it}: loss {actual[it]} vs {loss}");
    }

    /// <summary>Every file below the run folder, relative, TensorBoard files by count only.</summary>
    public static IReadOnlyList<string> Files(string run) =>
        Directory.GetFiles(run, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(run, f))
            .Select(f => f.StartsWith("tensorboard", StringComparison.Ordinal) ? "tensorboard/events" : f)
            .Order().ToList();
}
