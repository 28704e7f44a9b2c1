using System.CommandLine;
using Spectre.Console;
using TorchSharp;
using WaveFlow.Core.Runtime;
using WaveFlow.Training.Distributed;
using WaveFlow.Vocoder;
using WaveFlow.Vocoder.Checkpoints;

namespace WaveFlow.Cli.Commands;

/// <summary>
/// <c>waveflow info [CHECKPOINT] [--selftest]</c>: versions, where libtorch came from, threads,
/// CUDA devices, the MPI and NCCL libraries for distributed training; with a checkpoint, what it holds (kind, step, block structure, flow variant, mel settings).
/// </summary>
internal static class InfoCommand
{
    public static Command Create()
    {
        var selftest = new Option<bool>("--selftest") { Description = "run small computations and compare CUDA with the CPU" };
        var checkpoint = new Argument<string?>("checkpoint") { Description = "a checkpoint to describe (any format synthesize reads)", Arity = ArgumentArity.ZeroOrOne };
        var config = new Option<string?>("--config") { Description = "NVIDIA config.json for checkpoints that carry no configuration" };
        var command = new Command("info", "Show versions, the libtorch in use, CPU threads and CUDA devices, or what a checkpoint holds") { checkpoint, config, selftest };
        command.SetAction(result =>
        {
            TorchRuntime.EnsureLoaded();
            var table = new Table().AddColumns("", "").HideHeaders().Border(TableBorder.Rounded);
            table.AddRow("WaveFlow", TorchRuntime.WaveFlowVersion);
            table.AddRow("TorchSharp", TorchRuntime.TorchSharpVersion);
            table.AddRow("libtorch", TorchRuntime.LibTorchVersion);
            table.AddRow("libtorch from", Markup.Escape(TorchRuntime.Source));
            foreach (var lib in TorchRuntime.LoadedLibraries()) table.AddRow("  loaded", Markup.Escape(lib));
            table.AddRow("CPU threads", $"{torch.get_num_threads()} (of {Environment.ProcessorCount} logical CPUs)");
            table.AddRow("oneMKL kernels", Markup.Escape(MklVendorDispatch.Status));
            table.AddRow("native heap", Markup.Escape(NativeHeap.Status));
            table.AddRow("NNPACK", Markup.Escape(Nnpack.Status));
            table.AddRow("bfloat16 on CPU", Markup.Escape(CpuFeatures.Bf16Shortfall ?? "native (AVX-512 BF16 or AMX)"));
            bool cuda = torch.cuda.is_available();
            table.AddRow("CUDA available", cuda ? $"yes, {torch.cuda.device_count()} device(s)" : "no");
            foreach (var d in CudaDevices.List())
                table.AddRow($"  cuda:{d.Index}", Markup.Escape($"{d.Name}, {d.TotalBytes / (1024.0 * 1024 * 1024):F1} GiB"));
            table.AddRow("--device", GlobalOptions.ResolveDevice(result).ToString());
            table.AddRow("MPI (train --distributed)", Markup.Escape(DistributedLibraries.Mpi()));
            table.AddRow("NCCL (train --distributed nccl)", Markup.Escape(DistributedLibraries.Nccl()));
            AnsiConsole.Write(table);
            if (result.GetValue(checkpoint) is { } path) DescribeCheckpoint(path, result.GetValue(config));

            if (!result.GetValue(selftest)) return 0;
            var checks = SelfTest.Run();
            foreach (var c in checks)
                Console.WriteLine($"selftest {(c.Passed ? "ok  " : "FAIL")} {c.Check,-24} {c.Device,-8} max error {c.MaxAbsError:G3} (tolerance {c.Tolerance:G3})");
            if (!cuda) Console.WriteLine("selftest: no CUDA device, CPU checks only");
            return checks.All(c => c.Passed) ? 0 : 1;
        });
        return command;
    }

    private static void DescribeCheckpoint(string path, string? configPath)
    {
        ConfigFiles.CheckWhole(configPath);
        var loaded = CheckpointLoader.Load(path, torch.CPU, configPath);
        using var model = loaded.Model;
        var o = loaded.Options;
        var m = loaded.Mel;
        long parameters = model.parameters().Sum(p => p.numel());
        var table = new Table().AddColumns("checkpoint", Markup.Escape(path)).Border(TableBorder.Rounded);
        table.AddRow("kind", $"{loaded.Kind}, step {loaded.Step:N0}, {new FileInfo(path).Length / 1e6:F1} MB");
        table.AddRow("parameters", $"{parameters:N0}");
        table.AddRow("flows", $"{o.NFlows} flows, n_group {o.NGroup}, {o.NEarlySize} channels leave every {o.NEarlyEvery} flows");
        table.AddRow("WN", $"{o.WN.NLayers} layers x {o.WN.NChannels} channels, kernel {o.WN.KernelSize}");
        table.AddRow("coupling", o.Coupling + (o.AlternatingHalves ? " (glow_old layout: halves alternate)" : ""));
        table.AddRow("permutation", o.Permutation + (o.Permutation == "shuffle" ? $" (seed {o.PermutationSeed})" : ""));
        table.AddRow("prior scale", o.PriorScale ? "learned per-channel log-scale" : "none (unit Gaussian)");
        table.AddRow("mel", $"{m.NMelChannels} mels, {m.SamplingRate} Hz, filter {m.FilterLength}, hop {m.HopLength}, win {m.WinLength}, {m.MelFmin}-{m.MelFmax} Hz");
        AnsiConsole.Write(table);
    }
}
