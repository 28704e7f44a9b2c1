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
            var table = new Table().Border(TableBorder.Rounded).AddColumns("output", "L1", "MCD", "F0 ¢", "V/UV", "HNR", "gap", "trem");
            foreach (var s in scores)
                table.AddRow(Markup.Escape(Path.GetFileName(s.Output)), F(s.LogMelL1, "0.000"), F(s.McdDb, "0.00"), F(s.F0RmseCents, "0.0"),
                    F(s.VoicingError, "0.000"), F(s.HnrDb, "0.0"), F(s.HnrGapDb, "0.0"), F(s.TremoloIndex, "0.000"));
            AnsiConsole.Write(table);
            Console.WriteLine("L1 = log-mel L1, MCD in dB, F0 ¢ = F0 RMSE in cents over frames voiced in both, V/UV = voicing error, HNR and gap in dB, trem = tremolo index");
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
