using WaveFlow.Audio;

namespace WaveFlow.Vocoder.Evaluation;

/// <summary>Griffin-Lim from the mel: the no-neural-network baseline every vocoder should beat.</summary>
public sealed class GriffinLimRenderer(MelOptions mel) : IClipRenderer
{
    public const string Name = "griffin-lim";
    public SystemInfo Info { get; } = new(Name, SystemKind.GriffinLim);
    public bool Timed => true;
    public float[] Render(InputClip clip, long seed) => GriffinLim.Synthesize(clip.Mel, mel, seed: (int)seed);
    public double? Nll(InputClip clip) => null;
    public void Dispose() { }
}
