using System.CommandLine;
using System.Globalization;
using Spectre.Console;
using WaveFlow.Core.IO;
using WaveFlow.Evaluation.Scoring;

namespace WaveFlow.Cli.Commands;

/// <summary>
/// <c>waveflow score OUTPUT.wav... --reference RECORDING.wav... [--json FILE]</c>: every metric of
/// audio made anywhere against its recording (pairs in order, or two folders paired by name).
/// </summary>
internal static class ScoreCommand
{
    public static Command Create()
    {
        var outputs = new Argument<string[]>("outputs") { Description = "vocoder outputs (WAV), or one folder of them", Arity = ArgumentArity.OneOrMore };
        var references = new Option<string[]>("--reference", "-r") { Description = "the recordings, paired with the outputs in order (or one folder: paired by file name)", Required = true, Arity = ArgumentArity.OneOrMore, AllowMultipleArgumentsPerToken = true };
        var json = new Option<string?>("--json") { Description = "write every metric of every pair (and the means) to this JSON file" };
        var command = new Command("score", "Score any vocoder's output against recordings: spectral error, F0, voicing, HNR, tremolo") { outputs, references, json };
        command.SetAction(result =>
        {
            var pairs = FileScorer.Pair(result.GetValue(outputs)!, result.GetValue(references)!);
            // every file is read and checked before anything is written
            var scores = ProgressDisplay.Run("scoring", progress =>
            {
                var list = new List<FileScore>();
                for (int i = 0; i < pairs.Count; i++)
                {
                    progress(Path.GetFileName(pairs[i].Output), i, pairs.Count);
                    list.Add(FileScorer.Score(pairs[i].Output, pairs[i].Reference));
                }
                return list;
            });
            static string F(double? v, string f) => v?.ToString(f, CultureInfo.InvariantCulture) ?? "n/a";
            var table = new Table().Border(TableBorder.Rounded).AddColumns("output", "L1", "MCD", "F0 ¢", "gross", "fine ¢", "wob ¢", "frames", "cover", "V→UV", "UV→V", "HNR", "gap", "trem", "lag ms");
            foreach (var s in scores)
                table.AddRow(Markup.Escape(Path.GetFileName(s.Output)), F(s.LogMelL1, "0.000"), F(s.McdDb, "0.00"), F(s.F0RmseCents, "0.0"),
                    F(s.F0GrossErrorRate, "0.000"), F(s.F0FineRmseCents, "0.0"), F(s.PitchWobbleCents, "0.0"), $"{s.VoicedFrames}/{s.WobbleFrames}",
                    F(s.F0Coverage, "0.000"), F(s.VoicedToUnvoiced, "0.000"), F(s.UnvoicedToVoiced, "0.000"),
                    F(s.HnrDb, "0.0"), F(s.HnrGapDb, "0.0"), F(s.TremoloIndex, "0.000"), F(s.TremoloLagMs, "0.0"));
            AnsiConsole.Write(table);
            Console.WriteLine("L1 = log-mel L1, MCD in dB, F0 ¢ = F0 RMSE in cents over frames voiced in both, gross = share of them more than 20 % off, "
                + "fine = RMSE of the rest, wob = pitch wobble (detrended), frames = F0/wobble frames, cover = share of the recording's voiced frames the output voices, "
                + "V→UV / UV→V = voicing errors relative to the recording's voiced / unvoiced frames, HNR and gap in dB, trem = tremolo index, lag = envelope lag");
            int lost = scores.Count(s => s.LostItsPitch);
            if (lost > 0)
                Console.WriteLine($"{lost} of {scores.Count} output(s) voice none of the recording's voiced frames: F0 n/a, coverage 0 (the F0 means leave them out; the coverage mean counts them)");
            if (result.GetValue(json) is { } path)
            {
                AtomicFile.WriteAllBytes(path, FileScorer.Json(scores));
                Console.WriteLine($"wrote {path}");
            }
            return 0;
        });
        return command;
    }
}
