using System.CommandLine;
using System.Globalization;
using Spectre.Console;
using WaveFlow.Core;
using WaveFlow.Evaluation.Gate;
using WaveFlow.Vocoder;
using WaveFlow.Vocoder.Checkpoints;

namespace WaveFlow.Cli.Commands;

/// <summary>
/// <c>waveflow eval --checkpoint CK --data DIR [--baseline B.json] [--tolerance X] [--out E.json]</c>:
/// spectrogram error of resynthesis on a fixed clip set with fixed noise; a regression gate with --baseline.
/// Exit codes: 0 ok, 1 regressed, 2 bad input.
/// </summary>
internal static class EvalCommand
{
    public static Command Create()
    {
        var checkpoint = new Option<string>("--checkpoint") { Description = "model checkpoint", Required = true };
        var data = new Option<string>("--data") { Description = "folder of recordings (or an LJSpeech-layout corpus with wavs/)", Required = true };
        var baseline = new Option<string?>("--baseline") { Description = "an earlier eval JSON: exit 1 and name the clips whose errors grew beyond --tolerance" };
        var tolerance = new Option<string[]>("--tolerance") { Description = "allowed growth of each error over the baseline, as a fraction (0.05 = 5 %); METRIC=X sets one metric's (e.g. tremoloIndex=0.2); repeatable", DefaultValueFactory = _ => ["0.05"], AllowMultipleArgumentsPerToken = true };
        var output = new Option<string?>("--out", "-o") { Description = "write the evaluation JSON here" };
        var clips = new Option<int>("--clips") { Description = "the first N recordings in name order", DefaultValueFactory = _ => new EvalOptions().ClipCount };
        var crop = new Option<double>("--crop") { Description = "seconds cut from the middle of each recording", DefaultValueFactory = _ => new EvalOptions().CropSeconds };
        var seed = new Option<long>("--seed") { Description = "noise seed (clip i uses seed + i)", DefaultValueFactory = _ => new EvalOptions().Seed };
        var sigma = new Option<double>("--sigma") { Description = "standard deviation of the noise", DefaultValueFactory = _ => new EvalOptions().Sigma };
        var bf16 = new Option<bool>("--bf16") { Description = "synthesise in bfloat16 (to hold bf16 synthesis to a float32 baseline)" };
        var overwrite = OutputPaths.OverwriteOption();
        var command = new Command("eval", "Spectrogram error of resynthesis on a fixed clip set; with --baseline a regression gate")
            { checkpoint, data, baseline, tolerance, output, clips, crop, seed, sigma, bf16, overwrite };
        command.SetAction(result =>
        {
            var device = GlobalOptions.ResolveDevice(result);
            var options = new EvalOptions(result.GetValue(clips), result.GetValue(crop), result.GetValue(seed), result.GetValue(sigma),
                result.GetValue(bf16) ? Vocoder.Precision.Bf16 : Vocoder.Precision.Fp32);
            options.Validate();
            var (tol, perMetric) = ParseTolerances(result.GetValue(tolerance)!);
            // read the baseline first: a bad baseline should fail before minutes of synthesis
            var basePath = result.GetValue(baseline);
            var baseReport = basePath is null ? null : EvalReport.Read(basePath);
            if (result.GetValue(output) is { } target) OutputPaths.PrepareFile(target, result.GetValue(overwrite));
            var ckPath = result.GetValue(checkpoint)!;
            EvalReport report;
            using (var synthesizer = Synthesizer.Load(ckPath, device))
                report = ProgressDisplay.Run("evaluating", progress =>
                    Evaluator.Run(ckPath, synthesizer, result.GetValue(data)!, options, progress));

            static string F(double v, string f) => v.ToString(f, CultureInfo.InvariantCulture);
            static string N(double? v, string f) => v?.ToString(f, CultureInfo.InvariantCulture) ?? "n/a";
            var table = new Table().Border(TableBorder.Rounded).AddColumns("clip", "s", "L1", "MCD", "SC", "LSD", "F0 ¢", "gross", "fine ¢", "wob ¢", "frames", "cover", "V/UV", "HNR", "gap", "trem");
            foreach (var c in report.Clips.Append(report.Mean))
                table.AddRow(Markup.Escape(c.Clip), F(c.Seconds, "0.00"), F(c.LogMelL1, "0.000"), F(c.Mcd, "0.00"), F(c.SpectralConvergence, "0.000"), F(c.LogSpectralDistance, "0.0"),
                    N(c.F0RmseCents, "0.0"), N(c.F0GrossErrorRate, "0.000"), N(c.F0FineRmseCents, "0.0"), N(c.PitchWobbleCents, "0.0"),
                    c.F0Frames is { } ff ? $"{ff}/{c.WobbleFrames ?? 0}" : "n/a", N(c.F0Coverage, "0.000"),
                    N(c.VoicingError, "0.000"), N(c.HnrDb, "0.0"), N(c.HnrGapDb, "0.0"), N(c.TremoloIndex, "0.000"));
            AnsiConsole.WriteLine("L1 = log-mel L1, MCD and LSD in dB, SC = spectral convergence, F0 ¢ = F0 RMSE in cents, gross = share of F0 frames more than 20 % off, "
                + "fine = RMSE of the rest, wob = pitch wobble, frames = F0/wobble frames, cover = share of the recording's voiced frames the output voices, "
                + "V/UV = voicing error, HNR and gap in dB, trem = tremolo index");
            AnsiConsole.Write(table);
            if (result.GetValue(output) is { } outPath) { report.Write(outPath); Console.WriteLine($"wrote {outPath}"); }

            if (baseReport is null) return 0;
            var ungated = EvalBaseline.Ungated(baseReport);
            if (ungated.Count > 0) Console.WriteLine($"{basePath} has no {string.Join(", ", ungated)}: reported, not gated");
            var regressions = EvalBaseline.Compare(report, baseReport, tol, perMetric, basePath!);
            if (regressions.Count == 0)
            {
                Console.WriteLine($"no regression against {basePath} (tolerance {tol.ToString("0.#%", CultureInfo.InvariantCulture)}{string.Concat(perMetric.Select(kv => $", {kv.Key} {kv.Value.ToString("0.#%", CultureInfo.InvariantCulture)}"))})");
                return 0;
            }
            foreach (var r in regressions) Console.Error.WriteLine($"regressed: {r}");
            var names = regressions.Select(r => r.Clip).Distinct().ToList();
            Console.Error.WriteLine($"{names.Count} clip(s) regressed against {basePath}: {string.Join(", ", names)}");
            return 1;
        });
        return command;
    }

    /// <summary>"0.05" sets every metric's tolerance; "tremoloIndex=0.2" one metric's. Bad values are input errors.</summary>
    internal static (double All, Dictionary<string, double> PerMetric) ParseTolerances(IEnumerable<string> values)
    {
        double all = 0.05;
        var per = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var v in values)
        {
            int eq = v.IndexOf('=');
            string text = eq < 0 ? v : v[(eq + 1)..];
            if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double t) || !(t >= 0))
                throw new WaveFlowException($"--tolerance {v}: expected a fraction ≥ 0 (0.05 = 5 %) or METRIC=FRACTION");
            if (eq < 0) { all = t; continue; }
            string name = v[..eq];
            if (!EvalClip.GatedNames.Contains(name))
                throw new WaveFlowException($"--tolerance {v}: unknown metric {name} (known: {string.Join(", ", EvalClip.GatedNames)})");
            per[name] = t;
        }
        return (all, per);
    }
}
