using System.Globalization;
using System.Text;
using WaveFlow.Audio;
using WaveFlow.Core;
using WaveFlow.Core.IO;
using WaveFlow.Evaluation.Comparison;
using WaveFlow.Training.Data;
using WaveFlow.Training.Run;
using WaveFlow.Vocoder.Checkpoints;

namespace WaveFlow.Evaluation.Study;

/// <summary>One point of a learning curve: a run's checkpoint scored on the study's held-out clips
/// (means over the clips; F0 RMSE over the clips where it exists, null when none has a frame
/// voiced in both), plus the trainer's own validation NLL at that iteration when it logged one.</summary>
internal sealed record CurvePoint(
    string Run, long Iteration, double? TrainerValidationNll, double? Nll, double? LogMelL1, double? Mcd,
    double? F0RmseCents, double? VoicingError, double? HnrDb, double? HnrGapDb, double? TremoloIndex)
{
    public const string Header = "run,iteration,trainer_validation_nll,nll,log_mel_l1,mcd_db,f0_rmse_cents,voicing_error,hnr_db,hnr_gap_db,tremolo_index";

    public string ToCsv() => string.Join(",", Run, Iteration.ToString(CultureInfo.InvariantCulture),
        C(TrainerValidationNll), C(Nll), C(LogMelL1), C(Mcd), C(F0RmseCents), C(VoicingError), C(HnrDb), C(HnrGapDb), C(TremoloIndex));

    public static CurvePoint FromCsv(string line, string source)
    {
        var f = line.Split(',');
        if (f.Length != 11 || !long.TryParse(f[1], CultureInfo.InvariantCulture, out long it))
            throw WaveFlowException.ForFile(source, $"malformed line \"{line}\" (expected {Header})");
        return new CurvePoint(f[0], it, P(f[2]), P(f[3]), P(f[4]), P(f[5]), P(f[6]), P(f[7]), P(f[8]), P(f[9]), P(f[10]));
    }

    static string C(double? v) => v?.ToString("R", CultureInfo.InvariantCulture) ?? "";
    static double? P(string s) => s.Length == 0 ? null : double.Parse(s, CultureInfo.InvariantCulture);
}
