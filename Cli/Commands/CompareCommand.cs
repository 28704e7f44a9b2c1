using System.CommandLine;
using System.Globalization;
using System.Text.RegularExpressions;
using Spectre.Console;
using WaveFlow.Audio;
using WaveFlow.Core;
using WaveFlow.Evaluation.Comparison;
using WaveFlow.Vocoder;
using WaveFlow.Vocoder.Checkpoints;

namespace WaveFlow.Cli.Commands;

/// <summary>
/// <c>waveflow compare --model NAME=CK ... (--mels DIR | --wavs DIR) -o REPORT</c>: the same inputs
/// through every model with identical noise, metrics, structures and a blind A/B listening page.
/// </summary>
internal static partial class CompareCommand
{
    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")]
    private static partial Regex SafeName();

    public static Command Create()
    {
        var models = new Option<string[]>("--model") { Description = "NAME=CHECKPOINT (repeat for each model; NAME names the system in the report)", Required = true, Arity = ArgumentArity.OneOrMore };
        var mels = new Option<string?>("--mels") { Description = "folder of mel files (.npy, .pt) to render" };
        var wavs = new Option<string?>("--wavs") { Description = "folder of recordings (or an LJSpeech-layout corpus): their mels are rendered and they join as ground truth" };
        var output = new Option<string>("--out", "-o") { Description = "report folder (index.html, metrics.json, audio/, spectrograms/)", Required = true };
        var sigma = new Option<double>("--sigma") { Description = "standard deviation of the noise", DefaultValueFactory = _ => 0.6 };
        var seed = new Option<int>("--seed") { Description = "noise seed (clip i uses seed + i in every model) and A/B order", DefaultValueFactory = _ => 1 };
        var griffinLim = new Option<bool>("--griffin-lim") { Description = "add Griffin-Lim as a baseline system" };
        var clipsLimit = new Option<int?>("--clips") { Description = "only the first N inputs (ordinal name order)" };
        var crop = new Option<double?>("--crop") { Description = "with --wavs: cut each recording to its centred SECONDS" };
        var title = new Option<string>("--title") { Description = "report title", DefaultValueFactory = _ => "WaveFlow comparison" };
        var overwrite = OutputPaths.OverwriteOption();
        var command = new Command("compare", "Render the same inputs through several models and write an A/B report with metrics")
            { models, mels, wavs, output, sigma, seed, griffinLim, clipsLimit, crop, title, overwrite };
        command.SetAction(result =>
        {
            var device = GlobalOptions.ResolveDevice(result);
            string? melDir = result.GetValue(mels), wavDir = result.GetValue(wavs);
            if ((melDir is null) == (wavDir is null)) throw new WaveFlowException("compare: give exactly one of --mels DIR or --wavs DIR");
            if (result.GetValue(crop) is not null && wavDir is null) throw new WaveFlowException("compare: --crop works with --wavs only");
            var specs = ParseModels(result.GetValue(models)!, result.GetValue(griffinLim), wavDir is not null);
            double sigmaValue = result.GetValue(sigma);
            if (!(sigmaValue >= 0)) throw new WaveFlowException($"--sigma {sigmaValue}: must be 0 or more");

            var systems = new List<IClipRenderer>();
            try
            {
                MelOptions? mel = null;
                string? first = null;
                foreach (var (name, path) in specs)
                {
                    var renderer = new ModelRenderer(name, path, Synthesizer.Load(path, device), sigmaValue);
                    systems.Add(renderer);
                    var loaded = renderer.Loaded;
                    if (mel is null) { mel = loaded.Mel; first = path; }
                    else if (loaded.Mel != mel)
                        throw WaveFlowException.ForFile(path, $"mel settings differ from {first}'s ({loaded.Mel} vs {mel}): one set of inputs cannot feed both");
                }
                var clips = melDir is not null
                    ? ClipSource.FromMels(melDir, mel!, result.GetValue(clipsLimit))
                    : ClipSource.FromWavs(wavDir!, mel!, result.GetValue(clipsLimit), result.GetValue(crop));
                // A report folder that holds a report is replaced only with --overwrite.
                string reportDir = result.GetValue(output)!;
                OutputPaths.RefuseExisting([Path.Combine(reportDir, "index.html"), Path.Combine(reportDir, "metrics.json")], result.GetValue(overwrite));
                OutputPaths.PrepareFolder(reportDir);
                if (result.GetValue(griffinLim)) systems.Add(new GriffinLimRenderer(mel!));
                if (wavDir is not null) systems.Add(new GroundTruthRenderer());

                var settings = new CompareSettings(sigmaValue, result.GetValue(seed), result.GetValue(title)!,
                    $"{clips.Count} clip(s) from {melDir ?? wavDir}");
                var report = ProgressDisplay.Run("rendering", progress =>
                    ComparisonRunner.Run(clips, systems, mel!, result.GetValue(output)!, settings, progress));
                PrintMeans(report);
                Console.WriteLine($"wrote {report.IndexPath} and {report.MetricsPath}");
                return 0;
            }
            finally
            {
                foreach (var s in systems) s.Dispose();
            }
        });
        return command;
    }

    /// <summary>NAME=PATH pairs: names safe for file names, unique, not the reserved baseline names.</summary>
    internal static List<(string Name, string Path)> ParseModels(IEnumerable<string> values, bool griffinLim, bool groundTruth)
    {
        var list = new List<(string, string)>();
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var v in values)
        {
            int eq = v.IndexOf('=');
            if (eq <= 0 || eq == v.Length - 1) throw new WaveFlowException($"--model {v}: expected NAME=CHECKPOINT");
            string name = v[..eq], path = v[(eq + 1)..];
            if (!SafeName().IsMatch(name)) throw new WaveFlowException($"--model {v}: name \"{name}\" may hold only letters, digits, '.', '_' and '-' (it names files)");
            if (name.Equals(GroundTruthRenderer.Name, StringComparison.OrdinalIgnoreCase) || name.Equals(GriffinLimRenderer.Name, StringComparison.OrdinalIgnoreCase))
                throw new WaveFlowException($"--model {v}: \"{name}\" is reserved for the baseline of that name");
            if (!names.Add(name)) throw new WaveFlowException($"--model {v}: name \"{name}\" is used twice");
            if (!File.Exists(path)) throw WaveFlowException.ForFile(path, "checkpoint not found");
            list.Add((name, path));
        }
        if (list.Count + (griffinLim ? 1 : 0) + (groundTruth ? 1 : 0) < 2)
            throw new WaveFlowException("compare: needs at least two systems (models, --griffin-lim, or --wavs for the ground truth)");
        return list;
    }

    static void PrintMeans(ComparisonResult report)
    {
        static string F(double? v, string f) => v?.ToString(f, CultureInfo.InvariantCulture) ?? "—";
        // against a recording a missing F0 figure is "n/a" (nothing voiced in both); without one "—"
        string NA(ClipScore m, double? v, string f) => v?.ToString(f, CultureInfo.InvariantCulture) ?? (m.VoicingError is null ? "—" : "n/a");
        var table = new Table().Border(TableBorder.Rounded).AddColumns("system", "log-mel L1", "MCD (dB)", "SC", "F0 RMSE (¢)", "gross", "fine (¢)",
            "wobble (¢)", "frames", "coverage", "V/UV", "HNR (dB)", "tremolo", "NLL", "RTF");
        foreach (var m in report.Content.Means())
            table.AddRow(Markup.Escape(m.System), F(m.LogMelL1, "0.0000"), F(m.Mcd, "0.00"), F(m.SpectralConvergence, "0.0000"),
                NA(m, m.F0RmseCents, "0.0") + (m.F0MissingClips is > 0 and var missing ? $" ({missing} n/a)" : ""),
                NA(m, m.F0GrossErrorRate, "0.000"), NA(m, m.F0FineRmseCents, "0.0"), NA(m, m.PitchWobbleCents, "0.0"),
                m.F0Frames is { } ff ? $"{ff}/{m.WobbleFrames ?? 0}" : "—", F(m.F0Coverage, "0.000"),
                F(m.VoicingError, "0.000"), F(m.HnrDb, "0.0"), F(m.TremoloIndex, "0.000"), F(m.Nll, "0.0000"), F(m.RealTimeFactor, "0.000"));
        AnsiConsole.Write(table);
        if (report.Content.Means().Any(m => m.F0Coverage is not null))
            Console.WriteLine("F0 RMSE over frames voiced in both (\"(k n/a)\": k clips had none: see coverage), gross = share more than 20 % off, fine = RMSE of the rest, "
                + "wobble = detrended F0 difference, frames = F0/wobble frames, coverage = share of the recording's voiced frames the output voices");
    }
}
