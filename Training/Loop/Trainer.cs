using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using TorchSharp;
using TorchSharp.Modules;
using WaveFlow.Audio.Dsp;
using WaveFlow.Audio.Imaging;
using WaveFlow.Core;
using WaveFlow.Core.IO;
using WaveFlow.Core.Json;
using WaveFlow.Training.Config;
using WaveFlow.Training.Data;
using WaveFlow.Training.Distributed;
using WaveFlow.Training.Logging;
using WaveFlow.Training.Run;
using WaveFlow.Vocoder;
using WaveFlow.Vocoder.Checkpoints;
using static TorchSharp.torch;

namespace WaveFlow.Training.Loop;

/// <summary>
/// The training loop: NVIDIA's train.py (Adam on the WaveGlow NLL over random segment crops)
/// plus a run folder, exact resume, validation, a NaN guard with rollback and TensorBoard logs.
/// Create with <see cref="Open"/> (validates everything before writing), then <see cref="Run"/>.
/// The trainer orchestrates; the concerns are types of their own: what to train and resume
/// (<see cref="RunSetup"/>), the step (<see cref="TrainStep"/>), checkpoints and rollback
/// (<see cref="RunCheckpoints"/>), validation (<see cref="Validator"/>) and the TensorBoard log
/// (<see cref="TrainingMetrics"/>).
/// Data-parallel over the request's process group: every rank runs the same loop on its slice
/// of each global batch (see TrainStep); rank 0 alone owns the run folder (checkpoints,
/// <c>latest</c>, best, validation log, TensorBoard) and reports to the observer.
/// </summary>
internal sealed class Trainer : IDisposable
{
    private readonly TrainingConfig _config;
    private readonly RunFolder _run;
    private readonly TrainingData _data;
    private readonly Device _device;
    private readonly WaveGlow _model;
    private readonly Adam _optimizer;
    private readonly TorchMelSpectrogram _mel;
    private readonly TrainStep _step;
    private readonly Precision _precision;
    private readonly Validator _validator;
    private readonly LearningRateSchedule _schedule;
    private readonly StepGuard _guard;
    private readonly IProcessGroup _group;
    private readonly HarmonicTargets? _sourceTargets;
    private readonly RunCheckpoints _checkpoints;
    private TrainingMetrics _metrics;
    private readonly long _endIteration;
    private readonly bool _resumed;
    private TrainerState _state;
    private IReadOnlyList<string> _resumeChanges = [];

    public TrainingConfig Config => _config;
    public RunFolder RunFolder => _run;
    public long Iteration => _state.Iteration;
    public long EndIteration => _endIteration;
    /// <summary>True on the rank that writes the run folder and reports (rank 0).</summary>
    public bool IsLeader => _group.Rank == 0;

    private readonly Func<TrainingBatch, TrainingBatch>? _batchHook;   // the request's test seam

    private Trainer(TrainingConfig config, RunFolder run, TrainingData data, TrainRequest request, bool resumed)
    {
        (_config, _run, _data, _device, _resumed, _batchHook) = (config, run, data, request.Device, resumed, request.BatchHook);
        _group = request.Group ?? SingleProcessGroup.Instance;
        var train = config.Train;
        // fp16_run also allows TF32 for what stays float32 on CUDA (validation, the flow's 1x1s).
        _precision = TrainingPrecision.Resolve(train, _device.type);
        if (_device.type == DeviceType.CUDA && (train.Fp16Run || _precision != Precision.Fp32))
        {
            torch.backends.cuda.matmul.allow_tf32 = true;
            torch.backends.cudnn.allow_tf32 = true;
        }
        // The initial weights come from the seed alone, through a generator of this thread's own
        // (InitRandom): seeding torch's process-wide generator would race with other threads.
        using (InitRandom.Seeded(train.Seed))
            _model = new WaveGlow(config.Model, config.Mel);
        _model.to(_device);
        _optimizer = torch.optim.Adam(_model.parameters(), train.LearningRate);
        _mel = new TorchMelSpectrogram(config.Mel, _device);
        _step = new TrainStep(_model, _optimizer, _mel, _device, train.Sigma, train.GradClipThresh, _group, _precision);
        if (config.Model.HarmonicSource is { } harmonic) _sourceTargets = new HarmonicTargets(harmonic, config.Mel);
        _validator = new Validator(data.ValidationAudio, _mel, _device, train.Sigma, train.Seed, config.Model.NGroup, _sourceTargets);
        _schedule = new LearningRateSchedule(train);
        _guard = new StepGuard(train.MaxNonfiniteInRow);
        _checkpoints = new RunCheckpoints(run, config, _model, _optimizer, _group, _device);
        _state = new TrainerState { Seed = train.Seed, BatchesPerEpoch = data.Sampler.BatchesPerEpoch, LearningRate = train.LearningRate, WorldSize = _group.WorldSize };

        long byEpochs = (long)train.Epochs * data.Sampler.BatchesPerEpoch;
        long limit = request.Iterations ?? (train.MaxIterations > 0 ? train.MaxIterations : long.MaxValue);
        _endIteration = Math.Min(byEpochs, limit);
        _metrics = new TrainingMetrics(null, train.ItersPerLog, data.SampleRate);
    }

    /// <summary>Reads the config, the data and (for --resume) the latest checkpoint; for a new run
    /// writes the resolved config, the split and checkpoint 0. Bad input throws before any write;
    /// with several ranks, nothing is written before all of them have checked that they train
    /// the same config, data split and model.</summary>
    public static Trainer Open(TrainRequest request)
    {
        var group = request.Group ?? SingleProcessGroup.Instance;
        var (config, existing, resumeChanges) = RunSetup.ResolveConfig(request, group);
        var data = TrainingData.Prepare(config, request, existing, group.WorldSize);
        var outPath = request.OutPath ?? config.Train.OutputDirectory;
        var run = existing ?? (group.Rank == 0 ? RunFolder.ForNew(outPath) : new RunFolder(outPath));

        var trainer = new Trainer(config, run, data, request, existing is not null) { _resumeChanges = resumeChanges };
        try
        {
            RunSetup.CheckSameOnEveryRank(config, data, trainer._model, group, request, run);
            if (existing is not null)
            {
                if (trainer.IsLeader) AtomicFile.WriteAllBytes(run.ConfigPath, System.Text.Encoding.UTF8.GetBytes(config.ToJson()));
                trainer.RestoreEverywhere(rollback: false);
            }
            else
            {
                if (trainer.IsLeader)
                {
                    run.Create();
                    if (!string.IsNullOrWhiteSpace(config.Train.CheckpointPath)) trainer._checkpoints.WarmStart(config.Train.CheckpointPath);
                    AtomicFile.WriteAllBytes(run.ConfigPath, System.Text.Encoding.UTF8.GetBytes(config.ToJson()));
                    data.Split.Write(run.Root);
                }
                trainer._checkpoints.BroadcastParameters();      // warm-started weights (or the seeded init) from rank 0
                trainer._checkpoints.Save(trainer._state);
            }
            if (trainer.IsLeader && config.Train.WithTensorboard)
                trainer._metrics = new TrainingMetrics(new TensorBoardWriter(run.TensorBoardDir), config.Train.ItersPerLog, data.SampleRate);
            return trainer;
        }
        catch
        {
            trainer.Dispose();
            throw;
        }
    }

    /// <summary>Trains until the end iteration or until <paramref name="cancel"/> fires, then
    /// writes a final checkpoint. Returns the iteration reached.</summary>
    public long Run(ITrainingObserver? observer = null, CancellationToken cancel = default)
    {
        observer ??= new NullObserver();
        var train = _config.Train;
        observer.OnStart(new TrainingPlan(_run.Root, _device.ToString(), _resumed, _state.Iteration, _endIteration,
            _data.Split.Train.Count, _data.Split.Validation.Count, _data.Split.Test.Count, _data.Sampler.BatchesPerEpoch,
            _model.parameters().Sum(p => p.numel())));
        foreach (var change in _resumeChanges) observer.OnMessage(change);
        if (TrainingPrecision.Describe(_precision, _device.type) is { } precisionLine) observer.OnMessage(precisionLine);

        var clips = _data.Split.Train;
        int rate = _data.SampleRate, perRank = train.BatchSize, rank = _group.Rank;
        // With several ranks, a stop request (Ctrl+C, SIGTERM) travels in the step's all-reduce,
        // so every rank stops after the same step; nothing may stop one rank alone.
        bool alone = _group.WorldSize == 1;
        using var prefetch = new BatchPrefetcher(
            i => WithSourceTargets(_data.Sampler.Make(i, clips, c => TrainingData.Load(c, rate), rank * perRank, perRank), rank * perRank),
            _state.Iteration, _endIteration, train.PrefetchBatches);
        var clock = Stopwatch.StartNew();
        double startElapsed = _state.ElapsedSeconds, rate_ = 0, reduceShare = -1;
        long lastSaved = _state.Iteration;
        var lastTick = clock.Elapsed;

        while (_state.Iteration < _endIteration && !(alone && cancel.IsCancellationRequested))
        {
            TrainingBatch batch;
            try
            {
                batch = prefetch.Next(alone ? cancel : CancellationToken.None) ?? ReaderEndedEarly();
            }
            catch (OperationCanceledException) when (cancel.IsCancellationRequested)
            {
                break;      // stopped while waiting for data: still write the final checkpoint below
            }
            if (_batchHook is not null) batch = _batchHook(batch);
            long it = _state.Iteration;
            double lr = _schedule.At(it);
            var (loss, norm, outcome, stop, reduceSeconds) = _step.Run(batch, lr, cancel.IsCancellationRequested);
            bool rollback = _guard.Record(outcome);
            _state = _state with
            {
                Iteration = it + 1,
                Epoch = _data.Sampler.EpochOf(it + 1),
                OptimizerSteps = _state.OptimizerSteps + (outcome == StepOutcome.Stepped ? 1 : 0),
                SkippedNonfinite = _guard.SkippedTotal,
                NonfiniteInRow = _guard.InRow,
                LearningRate = lr,
                LossScale = _step.Scaler?.Scale,
                ElapsedSeconds = startElapsed + clock.Elapsed.TotalSeconds,
            };
            var now = clock.Elapsed;
            double dt = (now - lastTick).TotalSeconds;
            lastTick = now;
            rate_ = rate_ == 0 ? 1 / Math.Max(dt, 1e-9) : 0.9 * rate_ + 0.1 / Math.Max(dt, 1e-9);   // smoothed it/s
            double share = Math.Clamp(reduceSeconds / Math.Max(dt, 1e-9), 0, 1);
            reduceShare = reduceShare < 0 ? share : 0.9 * reduceShare + 0.1 * share;

            if (outcome == StepOutcome.LossScaleOverflow)
                observer.OnMessage($"iteration {it + 1}: fp16 gradients overflowed, step skipped, loss scale now {_step.Scaler!.Scale:G}");
            else if (outcome != StepOutcome.Stepped)
                observer.OnMessage($"iteration {it + 1}: {(outcome == StepOutcome.NonFiniteLoss ? $"loss {loss}" : $"gradient norm {norm}")}, step skipped ({_guard.SkippedTotal} so far)");
            if (rollback)
            {
                long back = RestoreEverywhere(rollback: true);
                _state = _state with { Rollbacks = _state.Rollbacks + 1 };
                observer.OnMessage($"iteration {it + 1}: {train.MaxNonfiniteInRow} non-finite steps in a row; weights and optimizer rolled back to checkpoint {back}");
            }
            _metrics.Step(it + 1, outcome, loss, lr, norm, rate_, _state.SkippedNonfinite, reduceShare, alone);
            observer.OnStep(new StepReport(it + 1, _endIteration, _state.Epoch, loss, norm, lr, rate_, outcome, _guard.SkippedTotal,
                Math.Max(reduceShare, 0), _group.WorldSize));

            bool validate = (it + 1) % train.ItersPerValidation == 0;
            if (validate) Validate(observer, loss);
            if ((it + 1) % train.ItersPerCheckpoint == 0)
            {
                _checkpoints.Save(_state);
                lastSaved = it + 1;
                observer.OnMessage($"checkpoint {_run.ModelPath(it + 1)}");
            }
            if (stop && !alone)
            {
                observer.OnMessage($"iteration {it + 1}: a rank was asked to stop; every rank stops here");
                break;
            }
        }
        if (_state.Iteration != lastSaved)
        {
            _checkpoints.Save(_state);
            observer.OnMessage($"checkpoint {_run.ModelPath(_state.Iteration)}");
        }
        _metrics.Flush();
        _group.Barrier();          // the job ends when rank 0's last checkpoint is on disk
        return _state.Iteration;

        static TrainingBatch ReaderEndedEarly() => throw new WaveFlowException("the data reader stopped before the last iteration");
    }

    /// <summary>The batch with its harmonic-source targets when the model has a source (the
    /// clips' analyses are cached, so each clip is tracked and heterodyned once per run).</summary>
    private TrainingBatch WithSourceTargets(TrainingBatch batch, int firstSlot)
    {
        if (_sourceTargets is null) return batch;
        var clips = _data.Split.Train;
        var indices = _data.Sampler.ClipsOf(batch.Iteration);
        var slots = new List<(ClipHarmonics, int)>(batch.BatchSize);
        for (int i = 0; i < batch.BatchSize; i++)
        {
            var clip = clips[indices[firstSlot + i]];
            var analysis = _sourceTargets.For(clip.Id, () => TrainingData.Load(clip, _data.SampleRate));
            slots.Add((analysis, _data.Sampler.CropStart(batch.Iteration, firstSlot + i, analysis.Length)));
        }
        return batch with { Source = _sourceTargets.Segments(slots, batch.SegmentLength) };
    }

    /// <summary>Runs validation now, logs it, and keeps best.safetensors up to date.</summary>
    public ValidationReport Validate(ITrainingObserver? observer = null, double trainLoss = double.NaN)
    {
        var clock = Stopwatch.StartNew();
        var result = _validator.Run(_model, _group);
        long it = _state.Iteration;
        bool best = double.IsFinite(result.Nll) && (_state.BestValidationNll is not { } b || result.Nll < b);
        if (best) _state = _state with { BestValidationNll = result.Nll, BestIteration = it };
        var report = new ValidationReport(it, result.Nll, result.LogMelL1, best, clock.Elapsed.TotalSeconds)
        {
            VoicingError = result.VoicingError, HnrGapDb = result.HnrGapDb, F0RmseCents = result.F0RmseCents,
        };
        if (!IsLeader) return report;
        if (best)
        {
            _checkpoints.SaveBest(it);
            _run.RecordBest(new JsonObject
            {
                ["iteration"] = it,
                ["validation_nll"] = result.Nll,
                ["log_mel_l1"] = result.LogMelL1,
                ["validation_clips"] = _data.Split.Validation.Count,
            }.ToJsonString(StrictJson.Options) + "\n");
        }
        _run.AppendValidation(it, result.Nll, result.LogMelL1, trainLoss, result.VoicingError, result.HnrGapDb, result.F0RmseCents);
        _metrics.Validation(it, result);
        observer?.OnValidation(report);
        return report;
    }

    /// <summary>
    /// Restores the latest checkpoint on every rank (<see cref="RunCheckpoints.RestoreEverywhere"/>)
    /// and brings the NaN guard, the world size and the loss scale in line. Returns the iteration restored.
    /// </summary>
    private long RestoreEverywhere(bool rollback)
    {
        (long iteration, _state) = _checkpoints.RestoreEverywhere(rollback, _state);
        (_guard.SkippedTotal, _guard.InRow) = (_state.SkippedNonfinite, _state.NonfiniteInRow);
        if (!rollback && _state.WorldSize != _group.WorldSize)
        {
            _resumeChanges = [.. _resumeChanges,
                $"resumed as {_group.WorldSize} process{(_group.WorldSize == 1 ? "" : "es")}, the run had {_state.WorldSize}: the global batch is now {_group.WorldSize * _config.Train.BatchSize} clips instead of {_state.WorldSize * _config.Train.BatchSize}, so the data order from here differs from the original run's"];
            _state = _state with { WorldSize = _group.WorldSize };
        }
        // A resumed fp16 run continues at its saved loss scale (a rollback keeps the current one).
        if (!rollback && _step.Scaler is { } scaler && _state.LossScale is { } scale) scaler.Restore(scale);
        return iteration;
    }

    public void Dispose()
    {
        _metrics.Dispose();
        _step.Dispose();
        _optimizer.Dispose();
        _mel.Dispose();
        _model.Dispose();
    }

    private sealed class NullObserver : ITrainingObserver;
}
