using WaveFlow.Audio.Dsp;
using WaveFlow.Audio.Dsp.Prosody;
using WaveFlow.Vocoder;

namespace WaveFlow.Evaluation.Comparison;

/// <summary>The block structure of one WaveGlow-style model, as a reader of the report wants to see it.</summary>
internal sealed record ModelStructure(
    int MelChannels, int Flows, int Group, int EarlyEvery, int EarlySize,
    int WnLayers, int Channels, int KernelSize, string Coupling, string Permutation, bool PriorScale = false);

/// <summary>What produced a row of the report.</summary>
internal enum SystemKind { Model, GriffinLim, GroundTruth }

/// <summary>One system under comparison: a model (with its structure and size), Griffin-Lim or the recording.</summary>
internal sealed record SystemInfo(
    string Name, SystemKind Kind, ModelStructure? Structure = null, long? Parameters = null,
    long? CheckpointBytes = null, string? Checkpoint = null, string? CheckpointKind = null);

/// <summary>
/// Scores of one system on one clip; null where a score does not apply (no reference audio for MCD,
/// no likelihood for Griffin-Lim, nothing to time for the recording).
/// </summary>
/// <remarks>The prosody scores (ProsodyMetrics) need a recording: F0 RMSE in cents over frames voiced
/// in both, split into the gross-error rate (more than 20 % off) and the fine RMSE over the rest, the
/// pitch wobble (detrended cents RMS over stretches voiced in both), the share of the recording's
/// voiced frames the output voices (coverage) and the voicing errors each way, the share of frames
/// whose voicing differs, the output's HNR where the recording is voiced and its gap to the
/// recording's, the tremolo index and the envelope lag it found. The F0 measures are also null when
/// no frame is voiced in both; coverage is then 0, so the loss shows in every mean.
/// <see cref="F0MissingClips"/> is set on mean rows only: the clips whose recording is voiced but
/// whose F0 error is null (left out of the F0 means, and counted here).</remarks>
internal sealed record ClipScore(
    string Clip, string System, double AudioSeconds,
    double? LogMelL1 = null, double? Mcd = null, double? SpectralConvergence = null,
    double? Nll = null, double? RealTimeFactor = null,
    double? F0RmseCents = null, double? VoicingError = null, double? HnrDb = null, double? HnrGapDb = null,
    double? TremoloIndex = null,
    double? PitchWobbleCents = null, int? WobbleFrames = null,
    double? F0GrossErrorRate = null, double? F0FineRmseCents = null, int? F0Frames = null,
    double? F0Coverage = null, double? VoicedToUnvoiced = null, double? UnvoicedToVoiced = null,
    double? TremoloLagMs = null, int? F0MissingClips = null)
{
    /// <summary>This score with the prosody measures of <paramref name="p"/>.</summary>
    public ClipScore WithProsody(ProsodyScores p) => this with
    {
        F0RmseCents = p.F0RmseCents, VoicingError = p.VoicingError, HnrDb = p.HnrDb, HnrGapDb = p.HnrGapDb, TremoloIndex = p.TremoloIndex,
        PitchWobbleCents = p.PitchWobbleCents, WobbleFrames = p.Wobble.Frames,
        F0GrossErrorRate = p.F0.GrossErrorRate, F0FineRmseCents = p.F0.FineRmseCents, F0Frames = p.F0.BothVoiced,
        F0Coverage = p.F0.Coverage, VoicedToUnvoiced = p.F0.VoicedToUnvoiced, UnvoicedToVoiced = p.F0.UnvoicedToVoiced,
        TremoloLagMs = p.Tremolo.LagMs,
    };
}

/// <summary>The audio of one system on one clip (a complete WAV file) and its spectrogram (PNG).
/// <see cref="F0"/> is the pitch track (Hz per mel hop, 0 where unvoiced) for the report's F0 plot.</summary>
internal sealed record RenderedAudio(string Clip, string System, byte[] Wav, byte[]? SpectrogramPng = null, double[]? F0 = null);

/// <summary>Everything a report page shows. <see cref="InputSpectrograms"/> are the input mels per clip (PNG).</summary>
internal sealed record ReportContent(
    string Title, int Seed, double Sigma, string Source,
    IReadOnlyList<SystemInfo> Systems, IReadOnlyList<string> Clips,
    IReadOnlyList<ClipScore> Scores, IReadOnlyList<RenderedAudio> Audio,
    IReadOnlyDictionary<string, byte[]>? InputSpectrograms = null)
{
    /// <summary>Seconds between pitch-track frames (the mel hop; Tacotron2's 256 / 22,050 unless set).</summary>
    public double F0HopSeconds { get; init; } = 256 / 22050.0;

    /// <summary>
    /// A content-derived id (hash of names, seed and audio): the same inputs give the same id,
    /// so exported answers can be matched to the report they came from.
    /// </summary>
    public string ReportId
    {
        get
        {
            using var sha = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
            sha.AppendData(System.Text.Encoding.UTF8.GetBytes($"{Title}\n{Seed}\n{Sigma}\n{string.Join('\n', Systems.Select(s => s.Name))}\n{string.Join('\n', Clips)}"));
            foreach (var a in Audio) sha.AppendData(a.Wav);
            return Convert.ToHexString(sha.GetHashAndReset())[..12].ToLowerInvariant();
        }
    }

    /// <summary>Mean of each score over the clips where it applies, per system (Clip = "mean").</summary>
    public IReadOnlyList<ClipScore> Means() => Systems.Select(s =>
    {
        var rows = Scores.Where(c => c.System == s.Name).ToList();
        static double? Mean(IEnumerable<double?> v) { var x = v.Where(d => d.HasValue).Select(d => d!.Value).ToList(); return x.Count == 0 ? null : x.Average(); }
        static int? Sum(IEnumerable<int?> v) { var x = v.Where(d => d.HasValue).Select(d => d!.Value).ToList(); return x.Count == 0 ? null : x.Sum(); }
        return new ClipScore("mean", s.Name, rows.Sum(r => r.AudioSeconds),
            Mean(rows.Select(r => r.LogMelL1)), Mean(rows.Select(r => r.Mcd)), Mean(rows.Select(r => r.SpectralConvergence)),
            Mean(rows.Select(r => r.Nll)),
            // real-time factor over the whole set: total compute time / total audio time
            rows.All(r => r.RealTimeFactor is null) ? null
                : rows.Where(r => r.RealTimeFactor is not null).Sum(r => r.RealTimeFactor!.Value * r.AudioSeconds)
                  / rows.Where(r => r.RealTimeFactor is not null).Sum(r => r.AudioSeconds),
            Mean(rows.Select(r => r.F0RmseCents)), Mean(rows.Select(r => r.VoicingError)), Mean(rows.Select(r => r.HnrDb)),
            Mean(rows.Select(r => r.HnrGapDb)), Mean(rows.Select(r => r.TremoloIndex)),
            Mean(rows.Select(r => r.PitchWobbleCents)), Sum(rows.Select(r => r.WobbleFrames)),
            Mean(rows.Select(r => r.F0GrossErrorRate)), Mean(rows.Select(r => r.F0FineRmseCents)), Sum(rows.Select(r => r.F0Frames)),
            Mean(rows.Select(r => r.F0Coverage)), Mean(rows.Select(r => r.VoicedToUnvoiced)), Mean(rows.Select(r => r.UnvoicedToVoiced)),
            Mean(rows.Select(r => r.TremoloLagMs)),
            rows.Any(r => r.F0Coverage is not null) ? rows.Count(r => r.F0Coverage is not null && r.F0RmseCents is null) : null);
    }).ToList();
}
