using System.CommandLine;
using System.Runtime.InteropServices;
using Spectre.Console;
using WaveFlow.Training.Config;
using WaveFlow.Training.Distributed;
using WaveFlow.Training.Loop;
using WaveFlow.Training.Run;
using WaveFlow.Vocoder;

namespace WaveFlow.Cli.Commands;

/// <summary>
/// <c>waveflow train --config configs/X.json --data DIR --out RUN [--resume] [--iterations N]</c>:
/// trains (or continues) a run; Ctrl+C, SIGTERM (what Slurm sends before preempting a job) or
/// SIGUSR1 (which mpirun forwards) stops after the current step and writes a checkpoint. Under <c>mpirun</c>/<c>srun</c> with
/// <c>--distributed mpi|nccl</c> each process is one rank of a data-parallel job: rank 0 reports
/// and writes the run folder, the others print only errors, prefixed with their rank, and an
/// error on any rank ends the whole job.
/// </summary>
internal static class TrainCommand
{
    public static Command Create()
    {
        var config = new Option<string?>("--config") { Description = "training config (NVIDIA's layout), e.g. configs/waveflow-small.json; with --resume only train_config may change" };
        var data = new Option<string?>("--data") { Description = "LJSpeech-layout folder (metadata.csv + wavs/) or a filelist of wav paths" };
        var output = new Option<string?>("--out") { Description = "run folder (default: train_config.output_directory)" };
        var resume = new Option<bool>("--resume") { Description = "continue the run in --out from its latest checkpoint, exactly" };
        var iterations = new Option<long?>("--iterations") { Description = "stop when this many iterations are done in total (overrides max_iterations)" };
        var distributed = new Option<string?>("--distributed")
        {
            Description = "none | mpi | nccl: one process per device, started by mpirun or srun (default: none; under a launcher, dist_config.dist_backend)",
        };
        var command = new Command("train", "Train a WaveFlow/WaveGlow vocoder on a speech corpus") { config, data, output, resume, iterations, distributed };
        command.SetAction(result =>
        {
            GlobalOptions.ApplyThreads(result);
            string deviceSpec = result.GetValue(GlobalOptions.Device) ?? "auto";
            var dist = PeekDistOptions(result.GetValue(config), result.GetValue(output), result.GetValue(resume));
            var setup = DistributedLaunch.Start(DistributedLaunch.Resolve(result.GetValue(distributed), dist, deviceSpec), deviceSpec, dist);
            using var group = setup.Group;
            try
            {
                // The multi-process tests' faults reach a rank only through its environment; they
                // are read here and handed to the trainer as its batch hook.
                var request = new TrainRequest(result.GetValue(config), result.GetValue(data), result.GetValue(output), setup.Device,
                    result.GetValue(resume), result.GetValue(iterations), group, FaultInjection.FromEnvironment().HookFor(group.Rank));
                return Train(request, leader: group.Rank == 0);
            }
            catch (Exception e) when (group.WorldSize > 1)
            {
                var (message, code) = ErrorReporter.Describe(e);
                Console.Error.WriteLine($"rank {group.Rank}: error: {message}");
                if (result.GetValue(GlobalOptions.Verbose)) Console.Error.WriteLine(e.ToString());
                // Every rank raised this one together: all print and exit, none is left waiting.
                if (e is JobWideException) return code;
                // Any other rank's error ends every rank: the others would wait in the next collective.
                group.Abort(code);
                return code;        // not reached: Abort ends the process
            }
        });
        return command;
    }

    /// <summary>SIGUSR1's number on Linux (PosixSignal names only the portable signals).</summary>
    private const PosixSignal Sigusr1 = (PosixSignal)10;

    private static int Train(TrainRequest request, bool leader)
    {
        using var trainer = Trainer.Open(request);
        using var cancel = new CancellationTokenSource();
        void Stop(string why)
        {
            if (cancel.IsCancellationRequested) return;
            cancel.Cancel();
            if (leader) AnsiConsole.MarkupLine($"[yellow]{Markup.Escape(why)}: stopping after this step; writing a checkpoint…[/]");
        }
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            if (cancel.IsCancellationRequested) return;            // a second Ctrl+C ends the process
            e.Cancel = true;
            Stop("Ctrl+C");
        };
        Console.CancelKeyPress += onCancel;
        // SIGTERM: what Slurm sends each task before it ends or preempts a job; treated like the
        // first Ctrl+C. SIGUSR1 does the same: Open MPI's mpirun forwards it to every rank and waits,
        // whereas on SIGTERM it kills the ranks after odls_base_sigkill_timeout (1 s by default).
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true;
            Stop("SIGTERM");
        });
        using var sigusr1 = OperatingSystem.IsWindows() ? null : PosixSignalRegistration.Create(Sigusr1, context =>
        {
            context.Cancel = true;
            Stop("SIGUSR1");
        });
        try
        {
            if (!leader)
            {
                trainer.Run(null, cancel.Token);
                return 0;
            }
            var observer = new ConsoleObserver();
            long reached = RunWithProgress(trainer, observer, cancel.Token);
            observer.Summary(trainer, reached);
            return 0;
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }

    /// <summary>dist_config of the config this run will use (--config, else the resumed run's
    /// own), read before the process group starts; the trainer reads the config again.</summary>
    private static DistOptions PeekDistOptions(string? configPath, string? outPath, bool resume)
    {
        if (!string.IsNullOrWhiteSpace(configPath)) return TrainingConfig.Load(configPath).Dist;
        if (resume && !string.IsNullOrWhiteSpace(outPath) && File.Exists(new RunFolder(outPath).ConfigPath))
            return TrainingConfig.Load(new RunFolder(outPath).ConfigPath).Dist;
        return new DistOptions();
    }

    /// <summary>Runs the trainer under the shared progress display: the bar on a terminal, a line
    /// every 10 s with the ETA in logs; each shows the observer's step line.</summary>
    private static long RunWithProgress(Trainer trainer, ConsoleObserver observer, CancellationToken cancel)
    {
        long start = trainer.Iteration, end = trainer.EndIteration;
        long total = end == long.MaxValue ? 0 : end - start;       // no limit: no bar length, no ETA
        return ProgressDisplay.Run("training", total, ProgressDisplay.LogInterval, progress =>
        {
            observer.Progress = (step, text) => progress.Report(text, step - start, total);
            return trainer.Run(observer, cancel);
        });
    }

    /// <summary>Prints plan, validations and events; hands each step's line to the progress display.</summary>
    private sealed class ConsoleObserver : ITrainingObserver
    {
        private ValidationReport? _last;
        private StepReport? _lastStep;
        /// <summary>Where each step's line goes (the progress display).</summary>
        public Action<long, string>? Progress { get; set; }

        public void OnStart(TrainingPlan p)
        {
            string end = p.EndIteration == long.MaxValue ? "no limit" : p.EndIteration.ToString("N0");
            AnsiConsole.MarkupLine($"[bold]{(p.Resumed ? "resuming" : "training")}[/] {Markup.Escape(p.RunFolder)} on {Markup.Escape(p.Device)}: " +
                $"{p.Parameters / 1e6:F2} M parameters, {p.TrainClips} training / {p.ValidationClips} validation / {p.TestClips} test clips, " +
                $"{p.BatchesPerEpoch} batches per epoch, iterations {p.StartIteration:N0} → {end}");
        }

        public void OnStep(StepReport s)
        {
            _lastStep = s;
            // Slow runs (CPU, big configs) read better in seconds per iteration.
            string speed = s.IterationsPerSecond >= 1 ? $"{s.IterationsPerSecond:F2} it/s" : $"{1 / Math.Max(s.IterationsPerSecond, 1e-9):F1} s/it";
            string text = $"it {s.Iteration:N0}  epoch {s.Epoch}  loss {s.Loss:F4}  |g| {s.GradNorm:F2}  lr {s.LearningRate:G3}  {speed}"
                + (s.SkippedTotal > 0 ? $"  skipped {s.SkippedTotal}" : "");
            Progress?.Invoke(s.Iteration, text);
        }

        public void OnValidation(ValidationReport v)
        {
            _last = v;
            string f0 = double.IsFinite(v.F0RmseCents) ? $"{v.F0RmseCents:F0} cents" : "n/a (unvoiced)";
            string hnr = double.IsFinite(v.HnrGapDb) ? $"{v.HnrGapDb:F1} dB" : "n/a";
            AnsiConsole.MarkupLine($"validation at {v.Iteration:N0}: NLL {v.Nll:F4}, log-mel L1 {v.LogMelL1:F3}, voicing error {v.VoicingError:F3}, HNR gap {hnr}, F0 RMSE {f0}" +
                $"{(v.IsBest ? " [green](best)[/]" : "")} ({v.Seconds:F1} s)");
        }

        public void OnMessage(string message) => AnsiConsole.MarkupLine($"[grey]{Markup.Escape(message)}[/]");

        public void Summary(Trainer trainer, long reached)
        {
            var table = new Table().AddColumns("", "").HideHeaders().Border(TableBorder.Rounded);
            table.AddRow("run", Markup.Escape(trainer.RunFolder.Root));
            table.AddRow("iterations", reached.ToString("N0"));
            if (_lastStep is { } s)
            {
                table.AddRow("last loss", $"{s.Loss:F4} ({s.IterationsPerSecond:G3} it/s)");
                if (s.WorldSize > 1) table.AddRow("processes", $"{s.WorldSize}; gradient all-reduce {100 * s.AllReduceShare:F1} % of the step time");
            }
            if (_last is { } v) table.AddRow("last validation", $"NLL {v.Nll:F4}, log-mel L1 {v.LogMelL1:F3}");
            table.AddRow("best weights", Markup.Escape(File.Exists(trainer.RunFolder.BestModelPath) ? trainer.RunFolder.BestModelPath : "(no validation yet)"));
            table.AddRow("continue with", Markup.Escape($"waveflow train --out {trainer.RunFolder.Root} --resume"));
            AnsiConsole.Write(table);
        }
    }
}
