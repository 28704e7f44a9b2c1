using System.CommandLine;
using System.Globalization;
using Spectre.Console;
using WaveFlow.Vocoder.Checkpoints;
using WaveFlow.Vocoder.Evaluation;

namespace WaveFlow.Cli.Commands;

/// <summary>
/// <c>waveflow eval --checkpoint CK --data DIR [--baseline B.json] [--tolerance X] [--out E.json]</c>:
/// spectrogram error of resynthesis on a fixed clip set with fixed noise; a regression gate with --baseline.
/// Exit codes: 0 ok, 1 regressed, 2 bad input.
/// </summary>
public static class EvalCommand
{
    public static Command Create()
    {
        var checkpoint = new Option<string>("--checkpoint") { Description = "model checkpoint", Required = true };
        var data = new Option<string>("--data") { Description = "folder of recordings (or an LJSpeech-layout corpus with wavs/)", Required = true };
        var baseline = new Option<string?>("--baseline") { Description = "an earlier eval JSON: exit 1 and name the clips whose errors grew beyond --tolerance" };
        var tolerance = new Option<double>("--tolerance") { Description = "allowed growth of each error over the baseline, as a fraction (0.05 = 5 %)", DefaultValueFactory = _ => 0.05 };
        var output = new Option<string?>("--out", "-o") { Description = "write the evaluation JSON here" };
        var clips = new Option<int>("--clips") { Description = "the first N recordings in name order", DefaultValueFactory = _ => new EvalOptions().ClipCount };
        var crop = new Option<double>("--crop") { Description = "seconds cut from the middle of each recording", DefaultValueFactory = _ => new EvalOptions().CropSeconds };
        var seed = new Option<long>("--seed") { Description = "noise seed (clip i uses seed + i)", DefaultValueFactory = _ => new EvalOptions().Seed };
        var sigma = new Option<double>("--sigma") { Description = "standard deviation of the noise", DefaultValueFactory = _ => new EvalOptions().Sigma };
        var overwrite = OutputPaths.OverwriteOption();
        var command = new Command("eval", "Spectrogram error of resynthesis on a fixed clip set; with --baseline a regression gate")
            { checkpoint, data, baseline, tolerance, output, clips, crop, seed, sigma, overwrite };
        command.SetAction(result =>
        {
            var device = GlobalOptions.ResolveDevice(result);
            var options = new EvalOptions(result.GetValue(clips), result.GetValue(crop), result.GetValue(seed), result.GetValue(sigma));
            options.Validate();
            double tol = result.GetValue(tolerance);
            if (!(tol >= 0)) throw new WaveFlowException($"--tolerance {tol}: must be 0 or more (a fraction: 0.05 = 5 %)");
            // read the baseline first: a bad baseline should fail before minutes of synthesis
            var basePath = result.GetValue(baseline);
            var baseReport = basePath is null ? null : EvalReport.Read(basePath);
            if (result.GetValue(output) is { } target) OutputPaths.PrepareFile(target, result.GetValue(overwrite));
            var ckPath = result.GetValue(checkpoint)!;
            var loaded = CheckpointLoader.Load(ckPath, device);
            EvalReport report;
            try
            {
                report = ProgressDisplay.Run("evaluating", progress =>
                    Evaluator.Run(ckPath, loaded, result.GetValue(data)!, options, progress));
            }
            finally { loaded.Model.Dispose(); }

            static string F(double v, string f) => v.ToString(f, CultureInfo.InvariantCulture);
            var table = new Table().Border(TableBorder.Rounded).AddColumns("clip", "seconds", "log-mel L1", "MCD (dB)", "SC", "LSD (dB)");
            foreach (var c in report.Clips.Append(report.Mean))
                table.AddRow(Markup.Escape(c.Clip), F(c.Seconds, "0.00"), F(c.LogMelL1, "0.0000"), F(c.Mcd, "0.00"), F(c.SpectralConvergence, "0.0000"), F(c.LogSpectralDistance, "0.00"));
            AnsiConsole.Write(table);
            if (result.GetValue(output) is { } outPath) { report.Write(outPath); Console.WriteLine($"wrote {outPath}"); }

            if (baseReport is null) return 0;
            var regressions = EvalBaseline.Compare(report, baseReport, tol, basePath!);
            if (regressions.Count == 0)
            {
                Console.WriteLine($"no regression against {basePath} (tolerance {tol.ToString("0.#%", CultureInfo.InvariantCulture)})");
                return 0;
            }
            foreach (var r in regressions) Console.Error.WriteLine($"regressed: {r}");
            var names = regressions.Select(r => r.Clip).Distinct().ToList();
            Console.Error.WriteLine($"{names.Count} clip(s) regressed against {basePath}: {string.Join(", ", names)}");
            return 1;
        });
        return command;
    }
}
