using System.Globalization;
using System.Text;
using WaveFlow.Audio;
using WaveFlow.Core;
using WaveFlow.Core.IO;
using WaveFlow.Evaluation.Comparison;
using WaveFlow.Training.Data;
using WaveFlow.Training.Run;
using WaveFlow.Vocoder;
using WaveFlow.Vocoder.Checkpoints;

namespace WaveFlow.Evaluation.Study;

/// <summary>One point of a learning curve: a run's checkpoint scored on the study's held-out clips
/// (means over the clips; the F0 errors and the wobble over the clips where they exist, null when
/// none has a frame voiced in both; the coverage over all clips, so a clip that lost its voicing
/// counts as 0), plus the trainer's own validation NLL at that iteration when it logged one.
/// Points scored before the wobble, the F0 split and the coverage existed (11-column lines) load
/// with those empty.</summary>
internal sealed record CurvePoint(
    string Run, long Iteration, double? TrainerValidationNll, double? Nll, double? LogMelL1, double? Mcd,
    double? F0RmseCents, double? VoicingError, double? HnrDb, double? HnrGapDb, double? TremoloIndex,
    double? PitchWobbleCents = null, double? F0GrossErrorRate = null, double? F0FineRmseCents = null, double? F0Coverage = null)
{
    public const string Header = "run,iteration,trainer_validation_nll,nll,log_mel_l1,mcd_db,f0_rmse_cents,voicing_error,hnr_db,hnr_gap_db,tremolo_index,"
        + "pitch_wobble_cents,f0_gross_error_rate,f0_fine_rmse_cents,f0_coverage";
    const int OldColumns = 11, Columns = 15;

    public string ToCsv() => string.Join(",", Run, Iteration.ToString(CultureInfo.InvariantCulture),
        C(TrainerValidationNll), C(Nll), C(LogMelL1), C(Mcd), C(F0RmseCents), C(VoicingError), C(HnrDb), C(HnrGapDb), C(TremoloIndex),
        C(PitchWobbleCents), C(F0GrossErrorRate), C(F0FineRmseCents), C(F0Coverage));

    public static CurvePoint FromCsv(string line, string source)
    {
        var f = line.Split(',');
        if ((f.Length != Columns && f.Length != OldColumns) || !long.TryParse(f[1], CultureInfo.InvariantCulture, out long it))
            throw WaveFlowException.ForFile(source, $"malformed line \"{line}\" (expected {Header})");
        var p = new CurvePoint(f[0], it, P(f[2]), P(f[3]), P(f[4]), P(f[5]), P(f[6]), P(f[7]), P(f[8]), P(f[9]), P(f[10]));
        return f.Length == OldColumns ? p : p with { PitchWobbleCents = P(f[11]), F0GrossErrorRate = P(f[12]), F0FineRmseCents = P(f[13]), F0Coverage = P(f[14]) };
    }

    static string C(double? v) => v?.ToString("R", CultureInfo.InvariantCulture) ?? "";
    static double? P(string s) => s.Length == 0 ? null : double.Parse(s, CultureInfo.InvariantCulture);
}

/// <summary>
/// The scoring half of a study: every kept checkpoint of every run (up to the iteration cap) is
/// rendered on the held-out clips with the same noise (seed + clip index, σ 0.6) and scored
/// against the recordings; points already in curves.csv are not recomputed, so a stopped
/// scoring pass continues where it stopped.
/// </summary>
internal static class StudyScoring
{
    public const double Sigma = 0.6;

    public static IReadOnlyList<InputClip> HeldOutClips(StudyFolder folder, StudyOptions options, MelOptions mel)
    {
        var files = Corpus.ReadFilelist(folder.HeldOutPath).Clips.Select(c => c.WavPath).ToList();
        return ClipSource.FromFiles(files, mel, options.CropSeconds);
    }

    /// <summary>The checkpoints of a run that the curves use: every kept one up to the cap.</summary>
    public static IReadOnlyList<long> Points(StudyFolder folder, string run, long cap) =>
        new RunFolder(folder.RunPath(run)).CheckpointIterations().Where(i => i <= cap).ToList();

    public static IReadOnlyList<CurvePoint> Curves(StudyOptions options, StudyFolder folder, TorchSharp.torch.Device device,
        Action<string, int, int>? progress = null)
    {
        var known = File.Exists(folder.CurvesPath)
            ? File.ReadLines(folder.CurvesPath).Skip(1).Where(l => l.Length > 0).Select(l => CurvePoint.FromCsv(l, folder.CurvesPath))
                .ToDictionary(p => (p.Run, p.Iteration))
            : [];
        var runs = options.Configs.Select(StudyOptions.RunName).ToList();
        var todo = runs.SelectMany(r => Points(folder, r, options.Iterations).Select(i => (Run: r, Iteration: i))).ToList();
        if (todo.Count == 0) throw WaveFlowException.ForFile(folder.Root, "holds no trained checkpoints to score (run the study without --train-only first)");
        IReadOnlyList<InputClip>? clips = null;
        var points = new List<CurvePoint>();
        int done = 0;
        foreach (var (run, iteration) in todo)
        {
            progress?.Invoke($"{run} at {iteration}", done++, todo.Count);
            if (known.TryGetValue((run, iteration), out var p)) { points.Add(p); continue; }
            var path = new RunFolder(folder.RunPath(run)).ModelPath(iteration);
            using var renderer = new ModelRenderer(run, path, Synthesizer.Load(path, device), Sigma);
            var loaded = renderer.Loaded;
            clips ??= HeldOutClips(folder, options, loaded.Mel);
            var scorer = new ClipScorer(loaded.Mel);
            var scores = new List<ClipScore>();
            for (int i = 0; i < clips.Count; i++)
            {
                var clip = clips[i];
                var audio = renderer.Render(clip, options.Seed + i);
                if (audio.Length > clip.Audio!.Length) audio = audio[..clip.Audio.Length];
                scores.Add(scorer.Score(clip, audio, run).Score with { Nll = renderer.Nll(clip) });
            }
            p = new CurvePoint(run, iteration, TrainerValidationNll(folder, run, iteration),
                Mean(scores, s => s.Nll), Mean(scores, s => s.LogMelL1), Mean(scores, s => s.Mcd), Mean(scores, s => s.F0RmseCents),
                Mean(scores, s => s.VoicingError), Mean(scores, s => s.HnrDb), Mean(scores, s => s.HnrGapDb), Mean(scores, s => s.TremoloIndex),
                Mean(scores, s => s.PitchWobbleCents), Mean(scores, s => s.F0GrossErrorRate), Mean(scores, s => s.F0FineRmseCents), Mean(scores, s => s.F0Coverage));
            points.Add(p);
            known[(run, iteration)] = p;
            // written after every point: a stopped pass keeps what it scored
            AtomicFile.WriteAllBytes(folder.CurvesPath, Encoding.UTF8.GetBytes(
                CurvePoint.Header + "\n" + string.Concat(known.Values.OrderBy(x => runs.IndexOf(x.Run)).ThenBy(x => x.Iteration).Select(x => x.ToCsv() + "\n"))));
        }
        progress?.Invoke("curves scored", todo.Count, todo.Count);
        return points;
    }

    static double? Mean(IEnumerable<ClipScore> scores, Func<ClipScore, double?> pick)
    {
        var v = scores.Select(pick).Where(x => x.HasValue).Select(x => x!.Value).ToList();
        return v.Count == 0 ? null : v.Average();
    }

    /// <summary>The run's validation.csv NLL at <paramref name="iteration"/> (its own validation clips), if logged.</summary>
    static double? TrainerValidationNll(StudyFolder folder, string run, long iteration)
    {
        var log = new RunFolder(folder.RunPath(run)).ValidationLog;
        if (!File.Exists(log)) return null;
        foreach (var line in File.ReadLines(log).Skip(1))
        {
            var f = line.Split(',');
            if (f.Length >= 2 && long.TryParse(f[0], CultureInfo.InvariantCulture, out long it) && it == iteration
                && double.TryParse(f[1], NumberStyles.Float, CultureInfo.InvariantCulture, out double nll))
                return nll;
        }
        return null;
    }
}
