namespace WaveFlow.Cli.Commands;

/// <summary>The scoring half of <c>waveflow study</c> (placeholder until the scorer lands).</summary>
internal static class StudyReporting
{
    public static int Run(WaveFlow.Training.Study.StudyOptions options, WaveFlow.Training.Study.StudyFolder folder, TorchSharp.torch.Device device)
    {
        Console.Error.WriteLine("study: scoring is not implemented in this build; use --train-only");
        return 1;
    }
}
