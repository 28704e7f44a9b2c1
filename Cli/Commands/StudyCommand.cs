using System.CommandLine;
using System.Globalization;
using WaveFlow.Evaluation.Study;
using WaveFlow.Training.Loop;

namespace WaveFlow.Cli.Commands;

/// <summary>
/// <c>waveflow study --configs A.json B.json ... --data CORPUS --iterations N [--minutes M] --out STUDY</c>:
/// trains each config with the same data, held-out clips and budget (resumable: run it again to
/// continue), scores every kept checkpoint on the held-out clips, runs compare on the final ones
/// with Griffin-Lim and the recordings, and writes STUDY/report.md with the learning curves.
/// </summary>
internal static class StudyCommand
{
    public static Command Create()
    {
        var configs = new Option<string[]>("--configs") { Description = "training configs to compare (a run is named after its file)", Required = true, Arity = ArgumentArity.OneOrMore, AllowMultipleArgumentsPerToken = true };
        var data = new Option<string>("--data") { Description = "LJSpeech-layout corpus or filelist (the study holds clips out of it)", Required = true };
        var output = new Option<string>("--out", "-o") { Description = "study folder", Required = true };
        var iterations = new Option<long>("--iterations") { Description = "iterations per run (a cap when --minutes is given)", Required = true };
        var minutes = new Option<double?>("--minutes") { Description = "wall-clock training budget per run, in minutes" };
        var every = new Option<int>("--every") { Description = "validate and keep a checkpoint every N iterations (the curves' points)", DefaultValueFactory = _ => 25 };
        var heldOut = new Option<int>("--held-out") { Description = "clips held out of every run's training and scored", DefaultValueFactory = _ => 6 };
        var seed = new Option<long>("--seed") { Description = "draws the held-out clips; the scoring noise", DefaultValueFactory = _ => 1 };
        var crop = new Option<double>("--crop") { Description = "seconds cut from the middle of each held-out clip for scoring", DefaultValueFactory = _ => 3.0 };
        var trainOnly = new Option<bool>("--train-only") { Description = "train (or continue) the runs, score nothing yet" };
        var command = new Command("study", "Train several configs on the same data and budget, score them on held-out clips, report the curves")
            { configs, data, output, iterations, minutes, every, heldOut, seed, crop, trainOnly };
        command.SetAction(result =>
        {
            var options = new StudyOptions(result.GetValue(configs)!, result.GetValue(data)!, result.GetValue(output)!,
                result.GetValue(iterations), result.GetValue(minutes), result.GetValue(every), result.GetValue(heldOut),
                result.GetValue(seed), result.GetValue(crop));
            options.Validate();
            var device = GlobalOptions.ResolveDevice(result);
            var folder = StudyTraining.Prepare(options);
            using var cancel = new CancellationTokenSource();
            ConsoleCancelEventHandler onCancel = (_, e) =>
            {
                if (cancel.IsCancellationRequested) return;
                e.Cancel = true;
                cancel.Cancel();
                Console.WriteLine("stopping after this step; run the study again to continue");
            };
            Console.CancelKeyPress += onCancel;
            try
            {
                StudyTraining.TrainAll(options, folder, device, name => new LineObserver(name), Console.WriteLine, cancel.Token);
            }
            finally { Console.CancelKeyPress -= onCancel; }
            if (cancel.IsCancellationRequested) return 1;
            if (result.GetValue(trainOnly)) { Console.WriteLine($"trained; run the same command without --train-only to score and report ({folder.Root})"); return 0; }
            return StudyReporting.Run(options, folder, device);
        });
        return command;
    }

    /// <summary>The shared display's plain lines, one every 30 s (with the run's ETA) and one per
    /// validation: a study runs for a long time, usually into a log file.</summary>
    private sealed class LineObserver(string run) : ITrainingObserver
    {
        readonly PlainProgress _progress = new(Console.Out, TimeSpan.FromSeconds(30));

        public void OnStep(StepReport s) =>
            _progress.Report(string.Create(CultureInfo.InvariantCulture, $"{run}: it {s.Iteration}  loss {s.Loss:F4}  {1 / Math.Max(s.IterationsPerSecond, 1e-9):F1} s/it"),
                s.Iteration, s.EndIteration == long.MaxValue ? 0 : s.EndIteration);

        public void OnValidation(ValidationReport v) =>
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{run}: validation at {v.Iteration}: NLL {v.Nll:F4}, log-mel L1 {v.LogMelL1:F3}"));
    }
}
