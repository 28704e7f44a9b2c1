using System.Diagnostics;
using WaveFlow.Core;
using WaveFlow.Core.IO;
using WaveFlow.Training.Config;
using WaveFlow.Training.Data;
using WaveFlow.Training.Loop;

namespace WaveFlow.Evaluation.Study;

/// <summary>
/// The training half of a study. <see cref="Prepare"/> loads every config (a config that does not
/// load fails here, naming its file, before anything is written), draws the held-out clips and
/// writes the manifest; <see cref="TrainAll"/> trains each config in turn through
/// <see cref="Trainer"/>, resuming a run that was stopped, and skips a run whose budget is spent.
/// Every run gets the same data (train-pool.txt), the same held-out clips, the same iteration cap
/// and the same wall-clock budget; each keeps its own config's seed, so a config repeated with
/// another train_config.seed measures the run-to-run spread.
/// </summary>
internal static class StudyTraining
{
    /// <summary>Keeps every checkpoint of a study run: each is a point of the learning curves.</summary>
    const int KeepAllCheckpoints = 1_000_000;

    public static StudyFolder Prepare(StudyOptions options)
    {
        options.Validate();
        var names = options.Configs.Select(StudyOptions.RunName).ToList();
        var twice = names.GroupBy(n => n, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1);
        if (twice is not null) throw new WaveFlowException($"study: two configs are named {twice.Key} (a run is named after its config file)");
        var configs = options.Configs.Select(TrainingConfig.Load).ToList();        // throws naming the file
        for (int i = 1; i < configs.Count; i++)
            if (configs[i].Mel != configs[0].Mel)
                throw WaveFlowException.ForFile(options.Configs[i], $"mel settings differ from {options.Configs[0]}'s: the runs could not be scored on the same mels");

        var folder = new StudyFolder(options.Out);
        var manifest = StudyManifest.From(options);
        if (File.Exists(folder.ManifestPath))
        {
            var diff = StudyManifest.Read(folder.ManifestPath).Differences(manifest);
            if (diff.Count > 0) throw WaveFlowException.ForFile(folder.ManifestPath, $"holds a study with other settings: {string.Join("; ", diff)}");
            manifest.Write(folder.ManifestPath);    // the budget asked now
            return folder;      // resume: held-out clips and configs are already there
        }

        var corpus = Corpus.Open(options.Data);
        if (corpus.Clips.Count <= options.HeldOut + 2)
            throw WaveFlowException.ForFile(options.Data, $"has {corpus.Clips.Count} clips; holding out {options.HeldOut} leaves too few to train on");
        // Sorted first so that the listing order does not matter; System.Random with a seed is
        // the same sequence on every .NET version and machine.
        var clips = corpus.Clips.OrderBy(c => c.WavPath, StringComparer.Ordinal).ToList();
        var random = new Random((int)options.Seed);
        for (int i = clips.Count - 1; i > 0; i--) { int j = random.Next(i + 1); (clips[i], clips[j]) = (clips[j], clips[i]); }
        var heldOut = clips.Take(options.HeldOut).OrderBy(c => c.Id, StringComparer.Ordinal).ToList();
        var pool = clips.Skip(options.HeldOut).OrderBy(c => c.Id, StringComparer.Ordinal).ToList();

        Directory.CreateDirectory(folder.Root);
        Corpus.WriteFilelist(folder.HeldOutPath, heldOut);
        Corpus.WriteFilelist(folder.TrainPoolPath, pool);
        for (int i = 0; i < configs.Count; i++)
        {
            var c = configs[i];
            // The study's cadence: a validation and a kept checkpoint every `Every` iterations,
            // no test split (the study holds its own clips out), the iteration cap.
            var studied = c with
            {
                Train = c.Train with
                {
                    ItersPerCheckpoint = options.Every,
                    ItersPerValidation = options.Every,
                    KeepLast = KeepAllCheckpoints,
                    TestClips = 0,
                    MaxIterations = options.Iterations,
                    OutputDirectory = folder.RunPath(names[i]),
                },
            };
            AtomicFile.WriteAllBytes(folder.ConfigPath(names[i]), System.Text.Encoding.UTF8.GetBytes(studied.ToJson()));
        }
        manifest.Write(folder.ManifestPath);
        return folder;
    }

    /// <summary>Trains every run to its budget. <paramref name="device"/> as for waveflow train.</summary>
    public static void TrainAll(StudyOptions options, StudyFolder folder, TorchSharp.torch.Device device,
        Func<string, ITrainingObserver> observerFor, Action<string> say, CancellationToken cancel = default)
    {
        foreach (var name in options.Configs.Select(StudyOptions.RunName))
        {
            if (cancel.IsCancellationRequested) return;
            var budget = RunBudget.Read(folder.BudgetPath(name));
            bool outOfTime = budget.Finished && options.Minutes is { } cap && budget.Seconds >= cap * 60;
            if (budget.Iteration >= options.Iterations || outOfTime)
            {
                say($"{name}: trained ({budget.Iteration} iterations, {budget.Seconds / 60:F1} min)");
                continue;
            }
            double? left = options.Minutes is { } m ? m * 60 - budget.Seconds : null;
            bool resume = File.Exists(Path.Combine(folder.RunPath(name), "latest"));
            var request = new TrainRequest(resume ? null : folder.ConfigPath(name), resume ? null : folder.TrainPoolPath,
                folder.RunPath(name), device, resume, options.Iterations);
            using var trainer = Trainer.Open(request);
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancel);
            if (left is { } s) stop.CancelAfter(TimeSpan.FromSeconds(Math.Max(0, s)));
            say($"{name}: {(resume ? "resuming at" : "training from")} iteration {trainer.Iteration}" +
                (left is { } l ? $", {l / 60:F1} min of budget left" : ""));
            var clock = Stopwatch.StartNew();
            long reached = trainer.Run(observerFor(name), stop.Token);
            double spent = budget.Seconds + clock.Elapsed.TotalSeconds;
            bool finished = !cancel.IsCancellationRequested && stop.IsCancellationRequested;   // the clock, not the caller, stopped it
            new RunBudget(spent, reached, finished).Write(folder.BudgetPath(name));
            bool done = finished || reached >= options.Iterations;
            say($"{name}: {reached} iterations, {spent / 60:F1} min{(done ? "" : " (stopped; run the study again to continue)")}");
        }
    }
}
