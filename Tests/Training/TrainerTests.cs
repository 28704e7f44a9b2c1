using System.Text.Json.Nodes;
using WaveFlow.Audio.Wav;
using WaveFlow.Core;
using WaveFlow.Tests.Support;
using WaveFlow.Training.Config;
using WaveFlow.Training.Data;
using WaveFlow.Training.Logging;
using WaveFlow.Training.Loop;
using WaveFlow.Training.Run;
using static TorchSharp.torch;

namespace WaveFlow.Tests.Training;

/// <summary>Short CPU runs of configs/waveflow-tiny.json on the six-clip fixture corpus.</summary>
public class TrainerTests
{
    private sealed class Recorder : ITrainingObserver
    {
        public List<StepReport> Steps { get; } = [];
        public List<ValidationReport> Validations { get; } = [];
        public List<string> Messages { get; } = [];
        public void OnStep(StepReport step) => Steps.Add(step);
        public void OnValidation(ValidationReport v) => Validations.Add(v);
        public void OnMessage(string m) => Messages.Add(m);
    }

    /// <summary>The tiny config with some train_config keys replaced, written into <paramref name="tmp"/>.</summary>
    private static string TinyConfig(TempDir tmp, JsonObject? train = null)
    {
        var json = JsonNode.Parse(File.ReadAllText(ConfigTests.ShippedConfig("waveflow-tiny.json")))!.AsObject();
        foreach (var (key, value) in train ?? []) json["train_config"]![key] = value?.DeepClone();
        var path = tmp[$"tiny-{Guid.NewGuid():N}.json"];
        File.WriteAllText(path, json.ToJsonString());
        return path;
    }

    private static Recorder Train(TrainRequest request)
    {
        // One libtorch thread: these steps are tiny, and on a busy machine OpenMP threads waiting
        // for each other cost 10× the work itself (measured: 50 ms of CPU per step vs 500+ ms).
        TorchSharp.torch.set_num_threads(1);
        using var trainer = Trainer.Open(request);
        var recorder = new Recorder();
        trainer.Run(recorder);
        return recorder;
    }

    [Fact]
    public void LossFallsOverAShortRun()
    {
        using var tmp = new TempDir();
        var config = TinyConfig(tmp, new JsonObject { ["iters_per_validation"] = 40 });
        var run = Train(new TrainRequest(config, Fixture.Path_("corpus-mini"), tmp["run"], CPU, Iterations: 40));
        Assert.Equal(40, run.Steps.Count);
        Assert.All(run.Steps, s => Assert.Equal(StepOutcome.Stepped, s.Outcome));
        double first = run.Steps.Take(8).Average(s => s.Loss), last = run.Steps.TakeLast(8).Average(s => s.Loss);
        Assert.True(last < first - 0.2, $"loss should fall: first 8 iterations {first:F3}, last 8 {last:F3}");
        var v = Assert.Single(run.Validations);
        Assert.True(double.IsFinite(v.Nll) && double.IsFinite(v.LogMelL1) && v.IsBest);

        // The run folder holds what RunFolder documents.
        var folder = new RunFolder(tmp["run"]);
        Assert.Equal(40, folder.LatestIteration());
        Assert.Equal([0L, 40L], folder.CheckpointIterations());      // keep_last 2: 0 and 40 (50 never reached)
        Assert.True(File.Exists(folder.BestModelPath));
        Assert.Equal(40, JsonNode.Parse(File.ReadAllText(folder.BestInfoPath))!["iteration"]!.GetValue<long>());
        Assert.Equal(2, File.ReadAllLines(folder.ValidationLog).Length);
        var split = DataSplit.Read(folder.Root);
        Assert.Equal((4, 1, 1), (split.Train.Count, split.Validation.Count, split.Test.Count));
        var resolved = TrainingConfig.Load(folder.ConfigPath);
        Assert.Equal(40, resolved.Train.ItersPerValidation);
        var events = TensorBoardWriter.ReadEvents(Directory.GetFiles(folder.TensorBoardDir).Single());
        var tags = events.SelectMany(e => e.Summary?.Value ?? []).Select(v => v.Tag).ToHashSet();
        Assert.Superset(new HashSet<string> { "train/loss", "train/learning_rate", "train/grad_norm", "validation/nll", "validation/log_mel_l1",
            "validation/resynthesis", "validation/reference", "validation/resynthesis_mel", "validation/reference_mel" }, tags);
        var lossEvent = events.First(e => e.Summary?.Value.Any(x => x.Tag == "train/loss") == true);
        Assert.Equal(run.Steps[4].Loss, lossEvent.Summary.Value[0].SimpleValue, 5);   // iters_per_log 5: the 5th step
    }

    /// <summary>
    /// A model with a harmonic source trains through the same loop: its gain is set from the
    /// first batch, every step is taken, validation reports the resynthesis's voicing error
    /// (validation.csv's voicing columns), and a resumed run repeats the uninterrupted one.
    /// f0_min 100 Hz keeps the longest period within the tiny config's 256-sample window.
    /// </summary>
    [Fact]
    public void AHarmonicSourceModelTrainsValidatesAndResumesExactly()
    {
        using var tmp = new TempDir();
        var json = JsonNode.Parse(File.ReadAllText(TinyConfig(tmp, new JsonObject { ["iters_per_validation"] = 3, ["iters_per_checkpoint"] = 3 })))!.AsObject();
        json["waveglow_config"]!["harmonic_source"] = new JsonObject
        {
            ["harmonics"] = 8, ["f0_min"] = 100.0, ["predictor_channels"] = 8, ["predictor_layers"] = 1, ["amplitude_channels"] = 8,
        };
        string config = tmp["harmonic.json"];
        File.WriteAllText(config, json.ToJsonString());
        var corpus = Fixture.Path_("corpus-mini");
        var straight = Train(new TrainRequest(config, corpus, tmp["a"], CPU, Iterations: 6));
        Assert.All(straight.Steps, s => Assert.Equal(StepOutcome.Stepped, s.Outcome));
        Assert.Equal(2, straight.Validations.Count);
        Assert.All(straight.Validations, v => Assert.True(double.IsFinite(v.Nll) && double.IsFinite(v.VoicingError), $"NLL {v.Nll}, voicing error {v.VoicingError}"));
        Assert.StartsWith("iteration,validation_nll,log_mel_l1,train_loss,voicing_error,hnr_gap_db,f0_rmse_cents",
            File.ReadLines(Path.Combine(tmp["a"], "validation.csv")).First().TrimStart('\uFEFF'));

        var firstHalf = Train(new TrainRequest(config, corpus, tmp["b"], CPU, Iterations: 3));
        var secondHalf = Train(new TrainRequest(null, null, tmp["b"], CPU, Resume: true, Iterations: 6));
        var resumed = firstHalf.Steps.Concat(secondHalf.Steps).Select(s => s.Loss).ToArray();
        var expected = straight.Steps.Select(s => s.Loss).ToArray();
        for (int i = 0; i < 6; i++)
            Assert.True(Math.Abs(resumed[i] - expected[i]) <= 1e-6, $"iteration {i + 1}: resumed {resumed[i]:R}, straight {expected[i]:R}");
    }

    [Fact]
    public void ResumedRunMatchesAnUninterruptedOne()
    {
        using var tmp = new TempDir();
        // Validation and a checkpoint in the middle, so resuming must also get past those.
        var config = TinyConfig(tmp, new JsonObject { ["iters_per_validation"] = 3, ["iters_per_checkpoint"] = 2 });
        var corpus = Fixture.Path_("corpus-mini");
        var straight = Train(new TrainRequest(config, corpus, tmp["a"], CPU, Iterations: 10));
        var firstHalf = Train(new TrainRequest(config, corpus, tmp["b"], CPU, Iterations: 5));
        var secondHalf = Train(new TrainRequest(null, null, tmp["b"], CPU, Resume: true, Iterations: 10));

        Assert.Equal(Enumerable.Range(6, 5).Select(i => (long)i), secondHalf.Steps.Select(s => s.Iteration));
        var resumed = firstHalf.Steps.Concat(secondHalf.Steps).Select(s => s.Loss).ToArray();
        var expected = straight.Steps.Select(s => s.Loss).ToArray();
        Assert.Equal(10, resumed.Length);
        for (int i = 0; i < 10; i++)
            Assert.True(Math.Abs(resumed[i] - expected[i]) <= 1e-6, $"iteration {i + 1}: resumed {resumed[i]:R}, straight {expected[i]:R}");
        Assert.Equal(straight.Validations.Select(v => v.Nll), firstHalf.Validations.Concat(secondHalf.Validations).Select(v => v.Nll));
        Assert.Equal(10, new RunFolder(tmp["b"]).LatestIteration());
    }

    [Fact]
    public void NonFiniteStepsAreSkippedAndRollBack()
    {
        using var tmp = new TempDir();
        var config = TinyConfig(tmp, new JsonObject { ["max_nonfinite_in_row"] = 3, ["iters_per_checkpoint"] = 4 });
        var run = Train(new TrainRequest(config, Fixture.Path_("corpus-mini"), tmp["run"], CPU, Iterations: 12,
            // Iterations 6–8 (0-based 5..7) get NaN audio: three bad steps in a row.
            BatchHook: b => b.Iteration is >= 5 and <= 7 ? b with { Audio = b.Audio.Select(_ => float.NaN).ToArray() } : b));
        Assert.Equal([StepOutcome.NonFiniteLoss, StepOutcome.NonFiniteLoss, StepOutcome.NonFiniteLoss],
            run.Steps.Where(s => s.Iteration is >= 6 and <= 8).Select(s => s.Outcome));
        Assert.All(run.Steps.Where(s => s.Iteration > 8), s => Assert.Equal(StepOutcome.Stepped, s.Outcome));
        Assert.Equal(3, run.Steps[^1].SkippedTotal);
        Assert.Contains(run.Messages, m => m.Contains("rolled back to checkpoint 4"));
        var state = TrainerState.Load(new RunFolder(tmp["run"]).StatePath(12), null);
        Assert.Equal((12L, 9L, 3L, 1), (state.Iteration, state.OptimizerSteps, state.SkippedNonfinite, state.Rollbacks));
    }

    [Fact]
    public void CancellingStopsAfterTheStepAndWritesACheckpoint()
    {
        using var tmp = new TempDir();
        TorchSharp.torch.set_num_threads(1);
        using var cancel = new CancellationTokenSource();
        using var trainer = Trainer.Open(new TrainRequest(TinyConfig(tmp), Fixture.Path_("corpus-mini"), tmp["run"], CPU, Iterations: 100));
        var recorder = new CancelAt(3, cancel);
        Assert.Equal(3, trainer.Run(recorder, cancel.Token));
        Assert.Equal(3, new RunFolder(tmp["run"]).LatestIteration());
    }

    private sealed class CancelAt(long iteration, CancellationTokenSource cancel) : ITrainingObserver
    {
        public void OnStep(StepReport step)
        {
            if (step.Iteration == iteration) cancel.Cancel();
        }
    }

    [Fact]
    public void BadCorpusFailsBeforeAnythingIsWritten()
    {
        using var tmp = new TempDir();
        var corpus = tmp.CopyCorpus();
        var wav = Path.Combine(corpus, "wavs", "WF004-0004.wav");
        File.WriteAllBytes(wav, WavFile.Encode(new float[16000], 16000));
        var config = TinyConfig(tmp);
        var e = Assert.Throws<WaveFlowException>(() => Trainer.Open(new TrainRequest(config, corpus, tmp["run"], CPU)));
        Assert.StartsWith($"{wav}: sample rate is 16000 Hz", e.Message);
        Assert.False(Directory.Exists(tmp["run"]));

        var notRun = Assert.Throws<WaveFlowException>(() => Trainer.Open(new TrainRequest(null, null, tmp["nothing"], CPU, Resume: true)));
        Assert.Contains("no training run to resume", notRun.Message);
    }
}
