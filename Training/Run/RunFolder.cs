using System.Globalization;
using System.Text;
using WaveFlow.Core;
using WaveFlow.Core.IO;

namespace WaveFlow.Training.Run;

/// <summary>
/// The layout of a training run:
/// <code>
/// RUN/config.json                      the resolved config (every key, defaults filled in)
/// RUN/split/{train,validation,test}.txt  the seeded data split (NVIDIA filelists)
/// RUN/checkpoints/waveflow-NNNNNNNN.safetensors  weights (loadable by synthesize)
/// RUN/checkpoints/waveflow-NNNNNNNN.state        optimizer + trainer state for --resume
/// RUN/latest                           name of the newest complete checkpoint
/// RUN/best.safetensors, RUN/best.json  the weights with the lowest validation NLL so far
/// RUN/validation.csv                   one line per validation
/// RUN/tensorboard/                     TensorBoard event files
/// </code>
/// A checkpoint is written as weights, then state (each atomically), and only then does
/// <c>latest</c> move to it: a crash at any moment leaves <c>latest</c> naming a complete pair.
/// </summary>
internal sealed class RunFolder(string root)
{
    public const string Prefix = "waveflow-";

    public string Root { get; } = Path.GetFullPath(root);
    public string ConfigPath => Path.Combine(Root, "config.json");
    public string CheckpointDir => Path.Combine(Root, "checkpoints");
    public string LatestPointer => Path.Combine(Root, "latest");
    public string BestModelPath => Path.Combine(Root, "best.safetensors");
    public string BestInfoPath => Path.Combine(Root, "best.json");
    public string ValidationLog => Path.Combine(Root, "validation.csv");
    public string TensorBoardDir => Path.Combine(Root, "tensorboard");

    public string Name(long iteration) => Prefix + iteration.ToString("D8", CultureInfo.InvariantCulture);
    public string ModelPath(long iteration) => Path.Combine(CheckpointDir, Name(iteration) + ".safetensors");
    public string StatePath(long iteration) => Path.Combine(CheckpointDir, Name(iteration) + ".state");

    /// <summary>A new run: refuses a folder that already holds one (nothing is overwritten).</summary>
    public static RunFolder CreateNew(string root)
    {
        var run = ForNew(root);
        run.Create();
        return run;
    }

    /// <summary>A folder for a new run, checked (it must not hold a run) but not yet created.</summary>
    public static RunFolder ForNew(string root)
    {
        var run = new RunFolder(root);
        if (File.Exists(run.ConfigPath) || File.Exists(run.LatestPointer))
            throw WaveFlowException.ForFile(run.Root, "already holds a training run; pass --resume to continue it, or choose another --out");
        return run;
    }

    /// <summary>Creates the folder of a new run.</summary>
    public void Create() => Directory.CreateDirectory(CheckpointDir);

    /// <summary>
    /// An existing run, for --resume. With <paramref name="removeStale"/> (the process that owns
    /// the folder), temporary files that a killed run left mid-write (each as large as a
    /// checkpoint; see AtomicFile) are deleted first, listed in <see cref="RemovedTemporaryFiles"/>.
    /// </summary>
    public static RunFolder OpenExisting(string root, bool removeStale = true)
    {
        var run = new RunFolder(root);
        if (!File.Exists(run.ConfigPath))
            throw WaveFlowException.ForFile(run.Root, "no training run to resume here (config.json not found)");
        if (removeStale) run.RemovedTemporaryFiles = [.. AtomicFile.RemoveStale(run.Root), .. AtomicFile.RemoveStale(run.CheckpointDir)];
        return run;
    }

    /// <summary>The stale temporary files <see cref="OpenExisting"/> deleted (names only).</summary>
    public IReadOnlyList<string> RemovedTemporaryFiles { get; private set; } = [];

    /// <summary>
    /// Writes checkpoint <paramref name="iteration"/>: weights, then state, then <c>latest</c>
    /// (<see cref="Commit"/>). If a write fails (disk full, permission, I/O error), whatever part
    /// of this checkpoint was written is deleted, and the error names the file, the reason and the
    /// checkpoint <c>latest</c> still names, which is untouched, as are all older checkpoints.
    /// </summary>
    public void WriteCheckpoint(long iteration, Action<string> writeWeights, Action<string> writeState, int keepLast)
    {
        try
        {
            writeWeights(ModelPath(iteration));
            writeState(StatePath(iteration));
        }
        catch (WaveFlowException e) when (e.InnerException is IOException or UnauthorizedAccessException)
        {
            foreach (var partial in new[] { StatePath(iteration), ModelPath(iteration) })
                try { File.Delete(partial); } catch (Exception d) when (d is IOException or UnauthorizedAccessException) { }
            string kept = File.Exists(LatestPointer) ? $"{LatestPointer} still names {File.ReadAllText(LatestPointer).Trim()}, which is intact" : "no earlier checkpoint exists";
            throw new WaveFlowException($"{e.Message}; checkpoint {iteration} was not saved, {kept}", 1, e);
        }
        Commit(iteration, keepLast);
    }

    /// <summary>Iteration of the newest complete checkpoint, or null if none was written yet.</summary>
    public long? LatestIteration()
    {
        if (!File.Exists(LatestPointer)) return null;
        var name = File.ReadAllText(LatestPointer).Trim();
        if (!name.StartsWith(Prefix, StringComparison.Ordinal) || !long.TryParse(name.AsSpan(Prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var it))
            throw WaveFlowException.ForFile(LatestPointer, $"expected a checkpoint name like {Name(0)}, got \"{name}\"");
        if (!File.Exists(ModelPath(it)) || !File.Exists(StatePath(it)))
            throw WaveFlowException.ForFile(LatestPointer, $"names {name}, but {ModelPath(it)} or its .state is missing");
        return it;
    }

    /// <summary>Points <c>latest</c> at the checkpoint of <paramref name="iteration"/> (both files
    /// must be written) and deletes all but the newest <paramref name="keepLast"/> checkpoints.</summary>
    public void Commit(long iteration, int keepLast)
    {
        AtomicFile.WriteAllBytes(LatestPointer, Encoding.UTF8.GetBytes(Name(iteration) + "\n"));
        foreach (var old in CheckpointIterations().OrderDescending().Skip(keepLast))
        {
            if (old == iteration) continue;
            File.Delete(StatePath(old));
            File.Delete(ModelPath(old));
        }
    }

    /// <summary>Iterations of the checkpoints present (those with a .state file).</summary>
    public IReadOnlyList<long> CheckpointIterations()
    {
        if (!Directory.Exists(CheckpointDir)) return [];
        var list = new List<long>();
        foreach (var file in Directory.EnumerateFiles(CheckpointDir, Prefix + "*.state"))
        {
            var stem = Path.GetFileNameWithoutExtension(file);
            if (long.TryParse(stem.AsSpan(Prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var it)) list.Add(it);
        }
        list.Sort();
        return list;
    }

    /// <summary>Records in best.json which iteration best.safetensors holds and its metrics
    /// (the trainer writes best.safetensors itself, atomically, just before).</summary>
    public void RecordBest(string infoJson) =>
        AtomicFile.WriteAllBytes(BestInfoPath, Encoding.UTF8.GetBytes(infoJson));

    /// <summary>Appends one validation line (header written first when the file is new).</summary>
    public void AppendValidation(long iteration, double nll, double logMelL1, double trainLoss, double voicingError = double.NaN, double hnrGapDb = double.NaN, double f0RmseCents = double.NaN)
    {
        bool fresh = !File.Exists(ValidationLog);
        // A log begun before the voicing columns existed keeps its four columns.
        bool wide = fresh || File.ReadLines(ValidationLog).FirstOrDefault()?.Contains("voicing_error", StringComparison.Ordinal) == true;
        using var w = new StreamWriter(ValidationLog, append: true, Encoding.UTF8);
        if (fresh) w.WriteLine("iteration,validation_nll,log_mel_l1,train_loss,voicing_error,hnr_gap_db,f0_rmse_cents");
        w.WriteLine(wide
            ? string.Create(CultureInfo.InvariantCulture, $"{iteration},{nll:R},{logMelL1:R},{trainLoss:R},{voicingError:R},{hnrGapDb:R},{f0RmseCents:R}")
            : string.Create(CultureInfo.InvariantCulture, $"{iteration},{nll:R},{logMelL1:R},{trainLoss:R}"));
    }
}
