using System.Diagnostics;
using System.Text.Json;
using WaveFlow.Audio;
using WaveFlow.Audio.Imaging;
using WaveFlow.Audio.Wav;
using WaveFlow.Core;
using WaveFlow.Core.IO;
using WaveFlow.Evaluation.Report;

namespace WaveFlow.Evaluation.Comparison;

/// <summary>
/// Renders every clip through every system, scores the outputs and writes the report folder:
/// <c>index.html</c> (self-contained), <c>metrics.json</c>, <c>audio/SYSTEM/CLIP.wav</c> and
/// <c>spectrograms/SYSTEM/CLIP.png</c>. Everything is computed before the first file is written,
/// so a failure leaves an existing report as it was.
/// </summary>
internal static class ComparisonRunner
{
    public static ComparisonResult Run(IReadOnlyList<InputClip> clips, IReadOnlyList<IClipRenderer> systems, MelOptions mel,
        string outputDir, CompareSettings settings, Action<string, int, int>? progress = null)
    {
        if (clips.Count == 0) throw new WaveFlowException("compare: no clips");
        if (systems.Count == 0) throw new WaveFlowException("compare: no systems");
        var scorer = new ClipScorer(mel);
        var scores = new List<ClipScore>();
        var rendered = new List<(InputClip Clip, string System, float[] Audio, FloatArray OutMel, double[] F0)>();
        int total = clips.Count * systems.Count, done = 0;

        foreach (var system in systems)
        {
            // The first call of a model pays for allocation and kernel selection: warm up on a
            // short piece so the real-time factor measures steady-state synthesis.
            if (system.Timed) system.Render(Shorten(clips[0], 16), settings.Seed);
            for (int i = 0; i < clips.Count; i++)
            {
                var clip = clips[i];
                progress?.Invoke($"{system.Info.Name}: {clip.Name}", done++, total);
                var watch = Stopwatch.StartNew();
                var audio = system.Render(clip, settings.Seed + i);
                double seconds = watch.Elapsed.TotalSeconds;
                if (clip.Audio is { } reference && system.Info.Kind != SystemKind.GroundTruth)
                    audio = audio.Length > reference.Length ? audio[..reference.Length] : audio; // the recording's length
                var (score, outMel, pitch) = scorer.Score(clip, audio, system.Info.Name);
                double duration = (double)audio.Length / mel.SamplingRate;
                scores.Add(score with { Nll = system.Nll(clip), RealTimeFactor = system.Timed ? seconds / duration : null });
                rendered.Add((clip, system.Info.Name, audio, outMel, pitch.F0));
            }
        }
        progress?.Invoke("writing the report", total, total);

        var audioEntries = new List<RenderedAudio>();
        foreach (var (clip, name, audio, outMel, f0) in rendered)
        {
            var wav = WavFile.Encode(audio, mel.SamplingRate);
            AtomicFile.WriteAllBytes(Path.Combine(outputDir, "audio", name, clip.Name + ".wav"), wav);
            var png = SpectrogramImage.EncodePng(outMel);
            AtomicFile.WriteAllBytes(Path.Combine(outputDir, "spectrograms", name, clip.Name + ".png"), png);
            audioEntries.Add(new RenderedAudio(clip.Name, name, wav, png, f0));
        }
        var inputs = new Dictionary<string, byte[]>();
        foreach (var clip in clips)
        {
            inputs[clip.Name] = SpectrogramImage.EncodePng(clip.Mel);
            AtomicFile.WriteAllBytes(Path.Combine(outputDir, "spectrograms", "input", clip.Name + ".png"), inputs[clip.Name]);
        }

        var content = new ReportContent(settings.Title, settings.Seed, settings.Sigma, settings.Source,
            systems.Select(s => s.Info).ToList(), clips.Select(c => c.Name).ToList(), scores, audioEntries, inputs)
            { F0HopSeconds = (double)mel.HopLength / mel.SamplingRate };
        var index = Path.Combine(outputDir, "index.html");
        AtomicFile.WriteAllBytes(index, System.Text.Encoding.UTF8.GetBytes(ReportPage.Render(content)));
        var metrics = Path.Combine(outputDir, "metrics.json");
        AtomicFile.WriteAllBytes(metrics, MetricsJson(content));
        return new ComparisonResult(content, index, metrics);
    }

    /// <summary>The first <paramref name="frames"/> frames of a clip (for warming up).</summary>
    static InputClip Shorten(InputClip clip, int frames)
    {
        int n = (int)clip.Mel.Shape[0], t = clip.Frames, f = Math.Min(frames, t);
        var data = new float[n * f];
        for (int c = 0; c < n; c++) Array.Copy(clip.Mel.Data, c * t, data, c * f, f); // row c of (n_mel, T)
        return new InputClip(clip.Name, new FloatArray(data, [n, f]), null);
    }

    /// <summary>metrics.json: systems with their structure, every clip's scores and the means.</summary>
    public static byte[] MetricsJson(ReportContent content) => JsonSerializer.SerializeToUtf8Bytes(new
    {
        format = "waveflow-compare",
        version = 1,
        reportId = content.ReportId,
        title = content.Title,
        source = content.Source,
        seed = content.Seed,
        sigma = content.Sigma,
        clips = content.Clips,
        systems = content.Systems.Select(s => new
        {
            name = s.Name,
            kind = s.Kind.ToString(),
            structure = s.Structure,
            parameters = s.Parameters,
            checkpointBytes = s.CheckpointBytes,
            checkpoint = s.Checkpoint,
            checkpointKind = s.CheckpointKind,
        }),
        scores = content.Scores,
        means = content.Means(),
    }, new JsonSerializerOptions { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase });
}
