using WaveFlow.Audio.Dsp;
using WaveFlow.Audio.Dsp.Prosody;
using WaveFlow.Vocoder;

namespace WaveFlow.Evaluation.Comparison;

/// <summary>
/// Scores of one system on one clip; null where a score does not apply (no reference audio for MCD,
/// no likelihood for Griffin-Lim, nothing to time for the recording).
/// </summary>
/// <remarks>The prosody scores (ProsodyMetrics) need a recording: F0 RMSE in cents over frames voiced
/// in both, the share of frames whose voicing differs, the output's HNR where the recording is voiced
/// and its gap to the recording's, and the tremolo index. F0 RMSE is also null when no frame is voiced in both.</remarks>
internal sealed record ClipScore(
    string Clip, string System, double AudioSeconds,
    double? LogMelL1 = null, double? Mcd = null, double? SpectralConvergence = null,
    double? Nll = null, double? RealTimeFactor = null,
    double? F0RmseCents = null, double? VoicingError = null, double? HnrDb = null, double? HnrGapDb = null,
    double? TremoloIndex = null);
