using System.Security.Cryptography;
using System.Text;
using WaveFlow.Core;
using WaveFlow.Training.Config;
using WaveFlow.Training.Data;
using WaveFlow.Training.Distributed;
using WaveFlow.Training.Run;
using WaveFlow.Vocoder;

namespace WaveFlow.Training.Loop;

/// <summary>
/// What a run trains, decided before anything is written: the config of a new run, or for a
/// resume the run's own config with a given config's train_config merged in; and, with several
/// ranks, the check that every rank trains the same thing.
/// </summary>
internal static class RunSetup
{
    /// <summary>
    /// The config to train and, for <c>--resume</c>, the run folder to continue and the
    /// train_config changes to report. Errors name the file or the option.
    /// </summary>
    public static (TrainingConfig Config, RunFolder? Existing, IReadOnlyList<string> ResumeChanges) ResolveConfig(TrainRequest request, IProcessGroup group)
    {
        if (request.Iterations is < 0) throw new WaveFlowException($"--iterations {request.Iterations}: must be ≥ 0");
        if (!request.Resume)
        {
            if (string.IsNullOrWhiteSpace(request.ConfigPath)) throw new WaveFlowException("--config: required for a new run (e.g. configs/waveflow-small.json)");
            return (TrainingConfig.Load(request.ConfigPath), null, []);
        }
        if (string.IsNullOrWhiteSpace(request.OutPath)) throw new WaveFlowException("--resume: needs --out RUN, the run folder to continue");
        var existing = RunFolder.OpenExisting(request.OutPath, removeStale: group.Rank == 0);
        var config = TrainingConfig.Load(existing.ConfigPath);
        IReadOnlyList<string> changes = [];
        if (!string.IsNullOrWhiteSpace(request.ConfigPath))
        {
            var requested = TrainingConfig.Load(request.ConfigPath);
            changes = config.TrainChanges(requested).Select(c => $"resumed with a changed train_config: {c}").ToList();
            config = config.ForResume(requested, existing.ConfigPath);
        }
        return (config, existing, changes);
    }

    /// <summary>
    /// Before anything is written, every rank checks that it trains what rank 0 trains: the
    /// resolved config, the data split (clip ids) and the model's parameter names and shapes,
    /// compared as one SHA-256. A rank started with another config or corpus fails the whole job.
    /// </summary>
    public static void CheckSameOnEveryRank(TrainingConfig config, TrainingData data, WaveGlow model, IProcessGroup group, TrainRequest request, RunFolder run)
    {
        if (group.WorldSize == 1) return;
        var text = new StringBuilder(config.ToJson());
        foreach (var (part, clips) in new[] { ("train", data.Split.Train), ("validation", data.Split.Validation), ("test", data.Split.Test) })
            foreach (var clip in clips) text.Append(part).Append('|').Append(clip.Id).Append('\n');
        foreach (var (name, p) in model.named_parameters()) text.Append(name).Append(string.Join("x", p.shape)).Append('\n');
        text.Append(request.Resume ? "resume" : "new");
        var mine = SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString()));
        bool same = group.Broadcast(mine).AsSpan().SequenceEqual(mine);
        var differs = new double[group.WorldSize];      // one slot per rank: a gather made of an all-reduce
        differs[group.Rank] = same ? 0 : 1;
        group.AllReduceSum(differs);
        var ranks = Enumerable.Range(0, differs.Length).Where(r => differs[r] > 0).ToList();
        if (ranks.Count == 0) return;
        string which = $"rank{(ranks.Count > 1 ? "s" : "")} {string.Join(", ", ranks)} train{(ranks.Count > 1 ? "" : "s")} another config, data split or model than rank 0";
        throw new JobWideException(same
            ? $"{which}; start every rank with the same --config, --data and files (nothing was written)"
            : $"{which}: this rank's config {request.ConfigPath ?? run.ConfigPath} with data {request.DataPath ?? "(from the config)"} differs from rank 0's");
    }
}
