using System.CommandLine;
using Spectre.Console;
using TorchSharp;

namespace WaveFlow.Cli.Commands;

/// <summary><c>waveflow info [--selftest]</c>: versions, where libtorch came from, threads, CUDA devices.</summary>
public static class InfoCommand
{
    public static Command Create()
    {
        var selftest = new Option<bool>("--selftest") { Description = "run small computations and compare CUDA with the CPU" };
        var command = new Command("info", "Show versions, the libtorch in use, CPU threads and CUDA devices") { selftest };
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
            bool cuda = torch.cuda.is_available();
            table.AddRow("CUDA available", cuda ? $"yes, {torch.cuda.device_count()} device(s)" : "no");
            foreach (var d in CudaDevices.List())
                table.AddRow($"  cuda:{d.Index}", Markup.Escape($"{d.Name}, {d.TotalBytes / (1024.0 * 1024 * 1024):F1} GiB"));
            table.AddRow("--device", GlobalOptions.ResolveDevice(result).ToString());
            AnsiConsole.Write(table);

            if (!result.GetValue(selftest)) return 0;
            var checks = SelfTest.Run();
            foreach (var c in checks)
                Console.WriteLine($"selftest {(c.Passed ? "ok  " : "FAIL")} {c.Check,-24} {c.Device,-8} max error {c.MaxAbsError:G3} (tolerance {c.Tolerance:G3})");
            if (!cuda) Console.WriteLine("selftest: no CUDA device, CPU checks only");
            return checks.All(c => c.Passed) ? 0 : 1;
        });
        return command;
    }
}
