using WaveFlow.Evaluation.Study;

namespace WaveFlow.Cli.Commands;

/// <summary>The scoring half of <c>waveflow study</c>: the learning curves, compare on the held-out clips, report.md.</summary>
internal static class StudyReporting
{
    public static int Run(StudyOptions options, StudyFolder folder, TorchSharp.torch.Device device)
    {
        var curves = ProgressDisplay.Run("scoring checkpoints", progress => StudyScoring.Curves(options, folder, device, progress));
        var compare = ProgressDisplay.Run("comparing", progress => StudyReport.Compare(options, folder, device, progress));
        var report = StudyReport.Write(options, folder, curves, compare);
        Console.WriteLine($"wrote {report}, {folder.CurvesPath} and {compare.IndexPath}");
        return 0;
    }
}
