using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using WaveFlow.Core;
using WaveFlow.Core.Json;
using WaveFlow.Training.Distributed;
using WaveFlow.Training.Run;
using WaveFlow.Vocoder.Checkpoints;
using static TorchSharp.torch;

namespace WaveFlow.Training.Loop;

/// <summary>
/// The trainer's checkpoints, resume, rollback and warm start, and how ranks stay identical:
/// rank 0 alone reads and writes the run folder; after a resume or rollback it sends the
/// weights, the optimizer state and the counters to every other rank, so only rank 0 needs the
/// run folder (the corpus must be readable by every rank).
/// </summary>
internal sealed partial class Trainer
{
    private Dictionary<string, string> Extra(string kind) => new()
    {
        ["waveflow.kind"] = kind,
        ["waveflow.train_config"] = _config.ToJsonObject()["train_config"]!.ToJsonString(),
        ["waveflow.iteration"] = _state.Iteration.ToString(CultureInfo.InvariantCulture),
    };

    /// <summary>Rank 0 writes weights, then trainer state, then moves <c>latest</c> (see RunFolder).</summary>
    private void SaveCheckpoint()
    {
        if (!IsLeader) return;
        long it = _state.Iteration;
        _run.WriteCheckpoint(it,
            path => WaveFlowCheckpoint.Save(path, _model, _config.Model, _config.Mel, it, Extra("training")),
            path => _state.Save(path, w => _optimizer.save_state_dict(w)),
            _config.Train.KeepLast);
    }

    /// <summary>
    /// Rank 0 loads the latest checkpoint (weights and optimizer; on resume also the counters)
    /// and every rank receives them. Returns the iteration restored.
    /// </summary>
    private long RestoreEverywhere(bool rollback)
    {
        long iteration = 0;
        if (IsLeader)
        {
            iteration = _run.LatestIteration()
                ?? (rollback ? 0 : throw WaveFlowException.ForFile(_run.LatestPointer, "not found: the run has no checkpoint to resume from"));
            Restore(iteration, restoreCounters: !rollback);
        }
        if (_group.WorldSize > 1)
        {
            BroadcastParameters();
            byte[] optimizer = [], state = [];
            if (IsLeader)
            {
                using var stream = new MemoryStream();
                using (var w = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true)) _optimizer.save_state_dict(w);
                optimizer = stream.ToArray();
                state = JsonSerializer.SerializeToUtf8Bytes(_state);
            }
            optimizer = _group.Broadcast(optimizer);
            state = _group.Broadcast(state);
            if (!IsLeader)
            {
                using (var r = new BinaryReader(new MemoryStream(optimizer), Encoding.UTF8)) _optimizer.load_state_dict(r);
                _state = StrictJson.Parse<TrainerState>(state, "trainer state from rank 0");
                (_guard.SkippedTotal, _guard.InRow) = (_state.SkippedNonfinite, _state.NonfiniteInRow);
                iteration = _state.Iteration;
            }
        }
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

    /// <summary>Loads weights and optimizer of checkpoint <paramref name="iteration"/> in place;
    /// with <paramref name="restoreCounters"/> (resume) also the iteration and counters.</summary>
    private void Restore(long iteration, bool restoreCounters)
    {
        ModelWeights.LoadInto(_model, _run.ModelPath(iteration));
        var saved = TrainerState.Load(_run.StatePath(iteration), r => _optimizer.load_state_dict(r));
        if (!restoreCounters) return;
        if (saved.Seed != _config.Train.Seed)
            throw WaveFlowException.ForFile(_run.StatePath(iteration), $"was trained with seed {saved.Seed}, the config says {_config.Train.Seed}");
        _state = saved;
        _guard.SkippedTotal = saved.SkippedNonfinite;
        _guard.InRow = saved.NonfiniteInRow;
    }

    /// <summary>Rank 0's weights on every rank (the parameters are overwritten in place).</summary>
    private void BroadcastParameters()
    {
        if (_group.WorldSize == 1) return;
        using var noGrad = no_grad();
        foreach (var p in _model.parameters()) _group.Broadcast(p);
    }

    /// <summary>NVIDIA's checkpoint_path: start from another model's weights (same shapes).</summary>
    private void WarmStart(string path)
    {
        var loaded = CheckpointLoader.Load(path, _device);
        using (loaded.Model)
        {
            var source = loaded.Model.named_parameters().ToDictionary(p => p.name, p => p.parameter);
            using var noGrad = no_grad();
            foreach (var (name, p) in _model.named_parameters())
            {
                if (!source.TryGetValue(name, out var s) || !s.shape.SequenceEqual(p.shape))
                    throw WaveFlowException.ForFile(path, $"train_config.checkpoint_path: {name} is missing or has another shape than this config's model");
                p.copy_(s);
            }
        }
    }

    /// <summary>
    /// Before anything is written, every rank checks that it trains what rank 0 trains: the
    /// resolved config, the data split (clip ids) and the model's parameter names and shapes,
    /// compared as one SHA-256. A rank started with another config or corpus fails the whole job.
    /// </summary>
    private void CheckSameOnEveryRank(TrainRequest request)
    {
        if (_group.WorldSize == 1) return;
        var text = new StringBuilder(_config.ToJson());
        foreach (var (part, clips) in new[] { ("train", _data.Split.Train), ("validation", _data.Split.Validation), ("test", _data.Split.Test) })
            foreach (var clip in clips) text.Append(part).Append('|').Append(clip.Id).Append('\n');
        foreach (var (name, p) in _model.named_parameters()) text.Append(name).Append(string.Join("x", p.shape)).Append('\n');
        text.Append(request.Resume ? "resume" : "new");
        var mine = SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString()));
        bool same = _group.Broadcast(mine).AsSpan().SequenceEqual(mine);
        var differs = new double[_group.WorldSize];      // one slot per rank: a gather made of an all-reduce
        differs[_group.Rank] = same ? 0 : 1;
        _group.AllReduceSum(differs);
        var ranks = Enumerable.Range(0, differs.Length).Where(r => differs[r] > 0).ToList();
        if (ranks.Count == 0) return;
        string which = $"rank{(ranks.Count > 1 ? "s" : "")} {string.Join(", ", ranks)} train{(ranks.Count > 1 ? "" : "s")} another config, data split or model than rank 0";
        throw new JobWideException(same
            ? $"{which}; start every rank with the same --config, --data and files (nothing was written)"
            : $"{which}: this rank's config {request.ConfigPath ?? _run.ConfigPath} with data {request.DataPath ?? "(from the config)"} differs from rank 0's");
    }
}
