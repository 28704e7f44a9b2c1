using WaveFlow.Audio.Dsp;
using WaveFlow.Audio.Dsp.Prosody;
using WaveFlow.Vocoder;

namespace WaveFlow.Evaluation.Comparison;

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
        return new ClipScore("mean", s.Name, rows.Sum(r => r.AudioSeconds),
            Mean(rows.Select(r => r.LogMelL1)), Mean(rows.Select(r => r.Mcd)), Mean(rows.Select(r => r.SpectralConvergence)),
            Mean(rows.Select(r => r.Nll)),
            // real-time factor over the whole set: total compute time / total audio time
            rows.All(r => r.RealTimeFactor is null) ? null
                : rows.Where(r => r.RealTimeFactor is not null).Sum(r => r.RealTimeFactor!.Value * r.AudioSeconds)
                  / rows.Where(r => r.RealTimeFactor is not null).Sum(r => r.AudioSeconds),
            Mean(rows.Select(r => r.F0RmseCents)), Mean(rows.Select(r => r.VoicingError)), Mean(rows.Select(r => r.HnrDb)),
            Mean(rows.Select(r => r.HnrGapDb)), Mean(rows.Select(r => r.TremoloIndex)));
    }).ToList();
}
