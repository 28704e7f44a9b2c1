using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using WaveFlow.Audio;
using WaveFlow.Audio.Dsp;
using WaveFlow.Audio.Dsp.Prosody;
using WaveFlow.Audio.Wav;
using WaveFlow.Core;
using WaveFlow.Evaluation.Comparison;

namespace WaveFlow.Evaluation.Scoring;

/// <summary>Every metric of one output file against its recording (JSON names in snake_case, as
/// ParallelWaveGAN's and other toolkits' users expect); the F0 errors, the pitch wobble and the HNRs
/// are null ("n/a") when they have no frames to be measured on, and every such figure comes with
/// the frames behind it. <see cref="F0Coverage"/> (the share of the recording's voiced frames the
/// output voices) is 0, not null, for an output that voices none of them.</summary>
internal sealed record FileScore(
    [property: JsonPropertyName("output")] string Output,
    [property: JsonPropertyName("reference")] string Reference,
    [property: JsonPropertyName("sample_rate")] int SampleRate,
    [property: JsonPropertyName("seconds")] double Seconds,
    [property: JsonPropertyName("log_mel_l1")] double LogMelL1,
    [property: JsonPropertyName("mcd_db")] double McdDb,
    [property: JsonPropertyName("spectral_convergence")] double SpectralConvergence,
    [property: JsonPropertyName("lsd_db")] double LsdDb,
    [property: JsonPropertyName("f0_rmse_cents")] double? F0RmseCents,
    [property: JsonPropertyName("voicing_error")] double VoicingError,
    [property: JsonPropertyName("hnr_db")] double? HnrDb,
    [property: JsonPropertyName("reference_hnr_db")] double? ReferenceHnrDb,
    [property: JsonPropertyName("hnr_gap_db")] double? HnrGapDb,
    [property: JsonPropertyName("tremolo_index")] double TremoloIndex,
    [property: JsonPropertyName("voiced_frames")] int VoicedFrames,
    [property: JsonPropertyName("f0_gross_error_rate")] double? F0GrossErrorRate,
    [property: JsonPropertyName("f0_gross_frames")] int F0GrossFrames,
    [property: JsonPropertyName("f0_fine_rmse_cents")] double? F0FineRmseCents,
    [property: JsonPropertyName("f0_fine_frames")] int F0FineFrames,
    [property: JsonPropertyName("pitch_wobble_cents")] double? PitchWobbleCents,
    [property: JsonPropertyName("wobble_frames")] int WobbleFrames,
    [property: JsonPropertyName("f0_coverage")] double? F0Coverage,
    [property: JsonPropertyName("voiced_to_unvoiced")] double? VoicedToUnvoiced,
    [property: JsonPropertyName("unvoiced_to_voiced")] double? UnvoicedToVoiced,
    [property: JsonPropertyName("reference_voiced_frames")] int ReferenceVoicedFrames,
    [property: JsonPropertyName("reference_unvoiced_frames")] int ReferenceUnvoicedFrames,
    [property: JsonPropertyName("tremolo_lag_ms")] double TremoloLagMs)
{
    /// <summary>The recording is voiced but no frame is voiced in both: no F0 error to give, coverage 0.</summary>
    [JsonIgnore] public bool LostItsPitch => ReferenceVoicedFrames > 0 && F0RmseCents is null;
}

/// <summary>
/// Scores audio made anywhere (another vocoder, an edited file) against recordings: pairs in
/// order, or two folders paired by file name. Both files of a pair must have the same sample rate;
/// their lengths may differ by what vocoders add or drop at the ends (up to
/// <see cref="MaxLengthDifferenceSeconds"/> or 2 %, whichever is more) and are compared over the
/// common length from sample 0. Mels use Tacotron2's settings at the files' sample rate.
/// </summary>
internal static class FileScorer
{
    public const double MaxLengthDifferenceSeconds = 0.1;
    public const string FormatName = "waveflow-score";

    /// <summary>(output, reference) pairs: the lists in order, or two folders matched by name.</summary>
    public static IReadOnlyList<(string Output, string Reference)> Pair(IReadOnlyList<string> outputs, IReadOnlyList<string> references)
    {
        if (outputs.Count == 0) throw new WaveFlowException("score: give at least one output file");
        if (outputs.Count == 1 && references.Count == 1 && Directory.Exists(outputs[0]) && Directory.Exists(references[0]))
        {
            var outs = ClipSource.ListWavs(outputs[0]).ToDictionary(f => Path.GetFileName(f), StringComparer.Ordinal);
            var pairs = ClipSource.ListWavs(references[0]).Where(r => outs.ContainsKey(Path.GetFileName(r)))
                .Select(r => (outs[Path.GetFileName(r)], r)).ToList();
            if (pairs.Count == 0) throw WaveFlowException.ForFile(outputs[0], $"has no .wav file named like one in {references[0]}");
            return pairs;
        }
        if (outputs.Count != references.Count)
            throw new WaveFlowException($"score: {outputs.Count} output(s) but {references.Count} reference(s); they are paired in order (or give two folders)");
        foreach (var f in outputs.Concat(references))
            if (!File.Exists(f)) throw WaveFlowException.ForFile(f, Directory.Exists(f) ? "is a folder: give files, or one folder of outputs and one of references" : "not found");
        return outputs.Zip(references).ToList();
    }

    public static FileScore Score(string outputPath, string referencePath)
    {
        var read = new WavReadOptions(Downmix: true);
        var reference = WavFile.Read(referencePath, read);
        var output = WavFile.Read(outputPath, read);
        if (output.SampleRate != reference.SampleRate)
            throw WaveFlowException.ForFile(outputPath, $"sample rate {output.SampleRate} Hz, but the reference {referencePath} is {reference.SampleRate} Hz: cannot be aligned (resample one of them)");
        int rate = reference.SampleRate, a = reference.Samples.Length, b = output.Samples.Length;
        int allowed = (int)Math.Max(MaxLengthDifferenceSeconds * rate, 0.02 * a);
        if (Math.Abs(a - b) > allowed)
            throw WaveFlowException.ForFile(outputPath, string.Create(CultureInfo.InvariantCulture,
                $"{output.DurationSeconds:0.###} s long, but the reference {referencePath} is {reference.DurationSeconds:0.###} s: cannot be aligned (allowed difference {(double)allowed / rate:0.###} s)"));
        int n = Math.Min(a, b);
        var mel = Mel(rate);
        if (n < mel.FilterLength) throw WaveFlowException.ForFile(outputPath, $"too short to score: {n} samples (need at least {mel.FilterLength})");
        return Score(reference.Samples.AsSpan(0, n), output.Samples.AsSpan(0, n), rate, outputPath, referencePath);
    }

    /// <summary>Tacotron2's mel settings at <paramref name="rate"/> (fmax at most Nyquist).</summary>
    static MelOptions Mel(int rate) => new() { SamplingRate = rate, MelFmax = Math.Min(new MelOptions().MelFmax, rate / 2.0) };

    /// <summary>
    /// Every metric of <paramref name="output"/> against <paramref name="recording"/> (mono samples at
    /// <paramref name="sampleRate"/>, compared over the common length from sample 0; at least one mel
    /// window long). The names only label the result.
    /// </summary>
    public static FileScore Score(ReadOnlySpan<float> recording, ReadOnlySpan<float> output, int sampleRate,
        string outputName = "output", string recordingName = "recording")
    {
        int n = Math.Min(recording.Length, output.Length);
        var mel = Mel(sampleRate);
        if (n < mel.FilterLength) throw new ArgumentException($"too short to score: {n} samples (need at least {mel.FilterLength})");
        var r = recording[..n];
        var o = output[..n];
        var spectral = SpectralMetrics.Compare(r, o, mel);
        var p = ProsodyMetrics.Compare(r, o, sampleRate, new PitchSettings(Hop: mel.HopLength));
        return new FileScore(outputName, recordingName, sampleRate, (double)n / sampleRate, spectral.LogMelL1, spectral.MelCepstralDistortion,
            spectral.SpectralConvergence, spectral.LogSpectralDistance, p.F0RmseCents, p.VoicingError, p.HnrDb,
            p.ReferenceHnrDb, p.HnrGapDb, p.TremoloIndex, p.VoicedFrames,
            p.F0.GrossErrorRate, p.F0.GrossFrames, p.F0.FineRmseCents, p.F0.FineFrames, p.PitchWobbleCents, p.Wobble.Frames,
            p.F0.Coverage, p.F0.VoicedToUnvoiced, p.F0.UnvoicedToVoiced, p.F0.ReferenceVoiced, p.F0.ReferenceUnvoiced, p.Tremolo.LagMs);
    }

    /// <summary>
    /// The JSON written by <c>waveflow score --json</c>: every pair's metrics and their means. A mean
    /// is over the files where the metric exists; the F0 errors and the wobble do not exist for a
    /// file whose output voices none of the recording's voiced frames, so the means also give
    /// <c>files_without_f0</c> (those files) and the coverage, whose mean counts them as 0.
    /// </summary>
    public static byte[] Json(IReadOnlyList<FileScore> scores)
    {
        static double? Mean(IEnumerable<double?> v) { var x = v.Where(d => d.HasValue).Select(d => d!.Value).ToList(); return x.Count == 0 ? null : x.Average(); }
        var mean = new Dictionary<string, double?>
        {
            ["log_mel_l1"] = Mean(scores.Select(s => (double?)s.LogMelL1)),
            ["mcd_db"] = Mean(scores.Select(s => (double?)s.McdDb)),
            ["spectral_convergence"] = Mean(scores.Select(s => (double?)s.SpectralConvergence)),
            ["lsd_db"] = Mean(scores.Select(s => (double?)s.LsdDb)),
            ["f0_rmse_cents"] = Mean(scores.Select(s => s.F0RmseCents)),
            ["voicing_error"] = Mean(scores.Select(s => (double?)s.VoicingError)),
            ["hnr_db"] = Mean(scores.Select(s => s.HnrDb)),
            ["hnr_gap_db"] = Mean(scores.Select(s => s.HnrGapDb)),
            ["tremolo_index"] = Mean(scores.Select(s => (double?)s.TremoloIndex)),
            ["f0_gross_error_rate"] = Mean(scores.Select(s => s.F0GrossErrorRate)),
            ["f0_fine_rmse_cents"] = Mean(scores.Select(s => s.F0FineRmseCents)),
            ["pitch_wobble_cents"] = Mean(scores.Select(s => s.PitchWobbleCents)),
            ["f0_coverage"] = Mean(scores.Select(s => s.F0Coverage)),
            ["voiced_to_unvoiced"] = Mean(scores.Select(s => s.VoicedToUnvoiced)),
            ["unvoiced_to_voiced"] = Mean(scores.Select(s => s.UnvoicedToVoiced)),
            ["files_without_f0"] = scores.Count(s => s.LostItsPitch),
        };
        return JsonSerializer.SerializeToUtf8Bytes(new { format = FormatName, version = 1, files = scores, mean },
            new JsonSerializerOptions { WriteIndented = true });
    }
}
