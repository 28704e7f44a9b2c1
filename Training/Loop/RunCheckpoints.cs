using System.Globalization;
using System.Text;
using System.Text.Json;
using TorchSharp.Modules;
using WaveFlow.Core;
using WaveFlow.Core.Json;
using WaveFlow.Training.Distributed;
using WaveFlow.Training.Run;
using WaveFlow.Training.Config;
using WaveFlow.Vocoder;
using WaveFlow.Vocoder.Checkpoints;
using static TorchSharp.torch;

namespace WaveFlow.Training.Loop;

/// <summary>
/// A run's checkpoints, resume, rollback and warm start, and how ranks stay identical:
/// rank 0 alone reads and writes the run folder; after a resume or rollback it sends the
/// weights, the optimizer state and the counters to every other rank, so only rank 0 needs the
/// run folder (the corpus must be readable by every rank).
/// </summary>
internal sealed class RunCheckpoints(RunFolder run, TrainingConfig config, WaveGlow model, Adam optimizer, IProcessGroup group, Device device)
{
    private bool IsLeader => group.Rank == 0;

    private Dictionary<string, string> Extra(string kind, long iteration) => new()
    {
        ["waveflow.kind"] = kind,
        ["waveflow.train_config"] = config.ToJsonObject()["train_config"]!.ToJsonString(),
        ["waveflow.iteration"] = iteration.ToString(CultureInfo.InvariantCulture),
    };

    /// <summary>Rank 0 writes weights, then trainer state, then moves <c>latest</c> (see RunFolder).</summary>
    public void Save(TrainerState state)
    {
        if (!IsLeader) return;
        long it = state.Iteration;
        run.WriteCheckpoint(it,
            path => WaveFlowCheckpoint.Save(path, model, config.Model, config.Mel, it, Extra("training", it)),
            path => state.Save(path, w => optimizer.save_state_dict(w)),
            config.Train.KeepLast);
    }

    /// <summary>Rank 0 writes the weights as they are now to best.safetensors.</summary>
    public void SaveBest(long iteration)
    {
        if (IsLeader) WaveFlowCheckpoint.Save(run.BestModelPath, model, config.Model, config.Mel, iteration, Extra("best", iteration));
    }

    /// <summary>
    /// Rank 0 loads the latest checkpoint (weights and optimizer; on resume also the counters,
    /// else <paramref name="current"/>'s are kept) and every rank receives them. Returns the
    /// iteration restored and the state every rank continues with.
    /// </summary>
    public (long Iteration, TrainerState State) RestoreEverywhere(bool rollback, TrainerState current)
    {
        long iteration = 0;
        var state = current;
        if (IsLeader)
        {
            iteration = run.LatestIteration()
                ?? (rollback ? 0 : throw WaveFlowException.ForFile(run.LatestPointer, "not found: the run has no checkpoint to resume from"));
            var saved = Restore(iteration);
            if (!rollback)
            {
                if (saved.Seed != config.Train.Seed)
                    throw WaveFlowException.ForFile(run.StatePath(iteration), $"was trained with seed {saved.Seed}, the config says {config.Train.Seed}");
                state = saved;
            }
        }
        if (group.WorldSize > 1)
        {
            BroadcastParameters();
            byte[] optimizerBytes = [], stateBytes = [];
            if (IsLeader)
            {
                using var stream = new MemoryStream();
                using (var w = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true)) optimizer.save_state_dict(w);
                optimizerBytes = stream.ToArray();
                stateBytes = JsonSerializer.SerializeToUtf8Bytes(state);
            }
            optimizerBytes = group.Broadcast(optimizerBytes);
            stateBytes = group.Broadcast(stateBytes);
            if (!IsLeader)
            {
                using (var r = new BinaryReader(new MemoryStream(optimizerBytes), Encoding.UTF8)) optimizer.load_state_dict(r);
                state = StrictJson.Parse<TrainerState>(stateBytes, "trainer state from rank 0");
                iteration = state.Iteration;
            }
        }
        return (iteration, state);
    }

    /// <summary>Loads weights and optimizer of checkpoint <paramref name="iteration"/> in place; returns its saved state.</summary>
    private TrainerState Restore(long iteration)
    {
        ModelWeights.LoadInto(model, run.ModelPath(iteration));
        return TrainerState.Load(run.StatePath(iteration), r => optimizer.load_state_dict(r));
    }

    /// <summary>Rank 0's weights on every rank (the parameters are overwritten in place).</summary>
    public void BroadcastParameters()
    {
        if (group.WorldSize == 1) return;
        using var noGrad = no_grad();
        foreach (var p in model.parameters()) group.Broadcast(p);
    }

    /// <summary>NVIDIA's checkpoint_path: start from another model's weights (same shapes).</summary>
    public void WarmStart(string path)
    {
        var loaded = CheckpointLoader.Load(path, device);
        using (loaded.Model)
        {
            var source = loaded.Model.named_parameters().ToDictionary(p => p.name, p => p.parameter);
            using var noGrad = no_grad();
            foreach (var (name, p) in model.named_parameters())
            {
                if (!source.TryGetValue(name, out var s) || !s.shape.SequenceEqual(p.shape))
                    throw WaveFlowException.ForFile(path, $"train_config.checkpoint_path: {name} is missing or has another shape than this config's model");
                p.copy_(s);
            }
        }
    }
}
