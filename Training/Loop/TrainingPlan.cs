using WaveFlow.Training.Run;

namespace WaveFlow.Training.Loop;

/// <summary>What a run is about to do, reported once before the first step.</summary>
internal sealed record TrainingPlan(
    string RunFolder, string Device, bool Resumed, long StartIteration, long EndIteration,
    int TrainClips, int ValidationClips, int TestClips, int BatchesPerEpoch, long Parameters);
