using WaveFlow.Core;
using WaveFlow.Training.Data;

namespace WaveFlow.Training.Distributed;

/// <summary>
/// Faults for the multi-process tests, which can only reach a child process through its
/// environment: <c>WAVEFLOW_TEST_FAULT=KIND@RANK:ITERATION[,…]</c> with KIND one of
/// <c>nan</c> (that rank's batch gets a NaN sample), <c>throw</c> (that rank throws before its
/// step) or <c>stall</c> (that rank stops responding before its step). Unset in real runs. Only
/// the <c>train</c> command reads the variable; the trainer receives the faults as its request's
/// batch hook (<see cref="HookFor"/>).
/// </summary>
internal sealed class FaultInjection
{
    public const string Variable = "WAVEFLOW_TEST_FAULT";
    private readonly List<(string Kind, int Rank, long Iteration)> _faults = [];

    public static FaultInjection FromEnvironment()
    {
        var injection = new FaultInjection();
        var text = Environment.GetEnvironmentVariable(Variable);
        if (string.IsNullOrWhiteSpace(text)) return injection;
        foreach (var item in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var parts = item.Split('@', ':');
            if (parts.Length != 3 || parts[0] is not ("nan" or "throw" or "stall") || !int.TryParse(parts[1], out int rank) || !long.TryParse(parts[2], out long it))
                throw new WaveFlowException($"{Variable}={text}: expected KIND@RANK:ITERATION with KIND nan, throw or stall");
            injection._faults.Add((parts[0], rank, it));
        }
        return injection;
    }

    /// <summary>The faults as a batch hook for <paramref name="rank"/>; null when there are none.</summary>
    public Func<TrainingBatch, TrainingBatch>? HookFor(int rank) =>
        _faults.Count == 0 ? null : batch => Apply(batch, rank, batch.Iteration + 1);

    /// <summary>Applies the faults meant for (<paramref name="rank"/>, <paramref name="iteration"/>);
    /// iteration is 1-based (the iteration being run).</summary>
    public TrainingBatch Apply(TrainingBatch batch, int rank, long iteration)
    {
        foreach (var (kind, r, it) in _faults)
        {
            if (r != rank || it != iteration) continue;
            switch (kind)
            {
                case "nan":
                    var audio = (float[])batch.Audio.Clone();
                    audio[0] = float.NaN;
                    batch = batch with { Audio = audio };
                    break;
                case "throw":
                    throw new InvalidOperationException($"injected fault at iteration {iteration}");
                case "stall":
                    Thread.Sleep(Timeout.Infinite);
                    break;
            }
        }
        return batch;
    }
}
