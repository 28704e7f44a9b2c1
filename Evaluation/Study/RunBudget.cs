using System.Text.Json;
using System.Text.Json.Serialization;
using WaveFlow.Core;
using WaveFlow.Core.IO;
using WaveFlow.Core.Json;

namespace WaveFlow.Evaluation.Study;

/// <summary>How much of its budget a run has used (budget.json in the run folder): wall-clock
/// seconds spent training in this study, the iteration reached, and whether the wall-clock budget
/// ended it (<see cref="Finished"/>; reaching the iteration cap is judged against the cap asked now).</summary>
internal sealed record RunBudget(
    [property: JsonPropertyName("seconds")] double Seconds,
    [property: JsonPropertyName("iteration")] long Iteration,
    [property: JsonPropertyName("finished")] bool Finished)
{
    public static RunBudget Read(string path)
    {
        if (!File.Exists(path)) return new RunBudget(0, 0, false);
        return StrictJson.Load<RunBudget>(path);
    }

    public void Write(string path) => AtomicFile.WriteAllBytes(path, JsonSerializer.SerializeToUtf8Bytes(this));
}
