using System.Globalization;
using WaveFlow.Core;

namespace WaveFlow.Evaluation.Study;

/// <summary>
/// What <c>waveflow study</c> compares: several training configs trained on the same data, with
/// the same held-out clips and the same budget, then scored on those clips.
/// <see cref="Iterations"/> caps every run; <see cref="Minutes"/> (optional) gives each run the
/// same wall-clock budget on top, so a config that is slower per step gets fewer steps.
/// <see cref="Every"/> is how often each run validates and keeps a checkpoint (the learning curves'
/// points). <see cref="HeldOut"/> clips are drawn from the corpus with <see cref="Seed"/> and never
/// trained on by any run; <see cref="CropSeconds"/> cuts each to its centre for scoring.
/// </summary>
internal sealed record StudyOptions(
    IReadOnlyList<string> Configs, string Data, string Out,
    long Iterations, double? Minutes = null, int Every = 25, int HeldOut = 6, long Seed = 1,
    double CropSeconds = 3.0)
{
    public void Validate()
    {
        if (Configs.Count == 0) throw new WaveFlowException("study: --configs needs at least one config file");
        if (Iterations < 1) throw new WaveFlowException($"--iterations {Iterations}: must be at least 1");
        if (Minutes is { } m && !(m > 0)) throw new WaveFlowException($"--minutes {m.ToString(CultureInfo.InvariantCulture)}: must be positive");
        if (Every < 1) throw new WaveFlowException($"--every {Every}: must be at least 1");
        if (HeldOut < 1) throw new WaveFlowException($"--held-out {HeldOut}: must be at least 1");
        if (!(CropSeconds > 0)) throw new WaveFlowException($"--crop {CropSeconds.ToString(CultureInfo.InvariantCulture)}: must be positive (seconds)");
    }

    /// <summary>A run's name: its config's file name without extension (unique within a study).</summary>
    public static string RunName(string configPath) => Path.GetFileNameWithoutExtension(configPath);
}
