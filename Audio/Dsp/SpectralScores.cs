using WaveFlow.Core;

namespace WaveFlow.Audio.Dsp;

/// <summary>The four metrics of <see cref="SpectralMetrics"/> for one pair of signals.</summary>
internal sealed record SpectralScores(double LogMelL1, double SpectralConvergence, double LogSpectralDistance, double MelCepstralDistortion);
