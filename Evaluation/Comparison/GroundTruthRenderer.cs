using WaveFlow.Core;

namespace WaveFlow.Evaluation.Comparison;

/// <summary>The recording itself: the reference every listener should prefer, and a sanity row in the metrics.</summary>
internal sealed class GroundTruthRenderer : IClipRenderer
{
    public const string Name = "ground-truth";
    public SystemInfo Info { get; } = new(Name, SystemKind.GroundTruth);
    public bool Timed => false;
    public float[] Render(InputClip clip, long seed) =>
        clip.Audio ?? throw new WaveFlowException($"{clip.Name}: no recording to play as ground truth (compare --wavs gives one)");
    public double? Nll(InputClip clip) => null;
    public void Dispose() { }
}
