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
        var mel = new MelOptions { SamplingRate = rate, MelFmax = Math.Min(new MelOptions().MelFmax, rate / 2.0) };
        if (n < mel.FilterLength) throw WaveFlowException.ForFile(outputPath, $"too short to score: {n} samples (need at least {mel.FilterLength})");
        var r = reference.Samples.AsSpan(0, n);
        var o = output.Samples.AsSpan(0, n);
        var spectral = SpectralMetrics.Compare(r, o, mel);
        var prosody = ProsodyMetrics.Compare(r, o, rate, new PitchSettings(Hop: mel.HopLength));
        return new FileScore(outputPath, referencePath, rate, (double)n / rate, spectral.LogMelL1, spectral.MelCepstralDistortion,
            spectral.SpectralConvergence, spectral.LogSpectralDistance, prosody.F0RmseCents, prosody.VoicingError, prosody.HnrDb,
            prosody.ReferenceHnrDb, prosody.HnrGapDb, prosody.TremoloIndex, prosody.VoicedFrames);
    }

    /// <summary>The JSON written by <c>waveflow score --json</c>: every pair's metrics and their means.</summary>
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
        };
        return JsonSerializer.SerializeToUtf8Bytes(new { format = FormatName, version = 1, files = scores, mean },
            new JsonSerializerOptions { WriteIndented = true });
    }
}
