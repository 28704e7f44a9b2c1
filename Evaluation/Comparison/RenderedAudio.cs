using WaveFlow.Audio.Dsp;
using WaveFlow.Audio.Dsp.Prosody;
using WaveFlow.Vocoder;

namespace WaveFlow.Evaluation.Comparison;

/// <summary>The audio of one system on one clip (a complete WAV file) and its spectrogram (PNG).
/// <see cref="F0"/> is the pitch track (Hz per mel hop, 0 where unvoiced) for the report's F0 plot.</summary>
internal sealed record RenderedAudio(string Clip, string System, byte[] Wav, byte[]? SpectrogramPng = null, double[]? F0 = null);
