using WaveFlow.Core;
using WaveFlow.Evaluation.Comparison;
using WaveFlow.Vocoder;
using WaveFlow.Vocoder.Checkpoints;

namespace WaveFlow.Evaluation.Gate;

/// <summary>
/// The spectrogram-error regression check: resynthesis of a fixed clip set with fixed noise, scored
/// against the recordings. Same checkpoint, data and options give the same numbers on the same
/// machine, so a later checkpoint (or code change) can be held to a baseline.
/// </summary>
internal static class Evaluator
{
    /// <summary>Synthesises and scores the clips of <paramref name="dataDir"/> with <paramref name="synthesizer"/> (the caller owns it).</summary>
    public static EvalReport Run(string checkpointPath, Synthesizer synthesizer, string dataDir, EvalOptions options, Action<string, int, int>? progress = null)
    {
        options.Validate();
        var loaded = synthesizer.Loaded;
        var clips = ClipSource.FromWavs(dataDir, loaded.Mel, options.ClipCount, options.CropSeconds);
        var scorer = new ClipScorer(loaded.Mel);
        var results = new List<EvalClip>();
        for (int i = 0; i < clips.Count; i++)
        {
            var clip = clips[i];
            progress?.Invoke(clip.Name, i, clips.Count);
            var audio = synthesizer.Synthesize(clip.Mel, new SynthesisOptions(Sigma: (float)options.Sigma, Seed: options.Seed + i, Precision: options.Precision));
            var reference = clip.Audio!;
            if (audio.Length > reference.Length) audio = audio[..reference.Length];
            var e = scorer.Errors(reference, audio);
            var p = scorer.Prosody(reference, audio);
            results.Add(new EvalClip(clip.Name, (double)reference.Length / loaded.Mel.SamplingRate,
                e.LogMelL1, e.MelCepstralDistortion, e.SpectralConvergence, e.LogSpectralDistance,
                p.F0RmseCents, p.VoicingError, p.HnrDb, p.HnrGapDb, p.TremoloIndex,
                p.F0.GrossErrorRate, p.F0.FineRmseCents, p.PitchWobbleCents, p.F0.VoicedToUnvoiced, p.F0.UnvoicedToVoiced,
                p.F0.Coverage, p.F0.BothVoiced, p.Wobble.Frames, p.Tremolo.LagMs));
        }
        progress?.Invoke("done", clips.Count, clips.Count);
        var settings = new EvalSettings(clips.Count, options.CropSeconds, options.Seed, options.Sigma, loaded.Mel.SamplingRate);
        return EvalReport.Create(checkpointPath, loaded.Kind, loaded.Step, dataDir, settings, results);
    }
}
