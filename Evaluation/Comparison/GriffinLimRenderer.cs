using WaveFlow.Audio;
using WaveFlow.Audio.Dsp;

namespace WaveFlow.Evaluation.Comparison;

/// <summary>Griffin-Lim from the mel: the no-neural-network baseline every vocoder should beat.</summary>
internal sealed class GriffinLimRenderer(MelOptions mel) : IClipRenderer
{
    public const string Name = "griffin-lim";
    private GriffinLim? griffinLim;     // built on first use, kept for every clip
    public SystemInfo Info { get; } = new(Name, SystemKind.GriffinLim);
    public bool Timed => true;
    public float[] Render(InputClip clip, long seed) => (griffinLim ??= new GriffinLim(mel)).Synthesize(clip.Mel, seed: (int)seed);
    public double? Nll(InputClip clip) => null;
    public void Dispose() => griffinLim?.Dispose();
}
