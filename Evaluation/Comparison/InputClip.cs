using WaveFlow.Audio;
using WaveFlow.Audio.Dsp;
using WaveFlow.Audio.Wav;
using WaveFlow.Core;

namespace WaveFlow.Evaluation.Comparison;

/// <summary>One input of a comparison or evaluation: a mel, and the recording it came from when there is one.</summary>
internal sealed record InputClip(string Name, FloatArray Mel, float[]? Audio)
{
    public int Frames => (int)Mel.Shape[1];
}
