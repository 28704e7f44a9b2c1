using WaveFlow.Core;

namespace WaveFlow.Training.Data;

/// <summary>One training batch on the host: <c>Audio</c> is row-major (BatchSize, SegmentLength) in [-1, 1].</summary>
internal sealed record TrainingBatch(long Iteration, long Epoch, float[] Audio, int BatchSize, int SegmentLength, IReadOnlyList<string> Ids)
{
    /// <summary>The harmonic source's targets for these segments (models with a source only).</summary>
    public SourceBatch? Source { get; init; }
}
