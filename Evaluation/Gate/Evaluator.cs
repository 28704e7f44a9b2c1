using WaveFlow.Core;
using WaveFlow.Evaluation.Comparison;
using WaveFlow.Vocoder;
using WaveFlow.Vocoder.Checkpoints;

namespace WaveFlow.Evaluation.Gate;

/// <summary>
/// How <c>waveflow eval</c> picks and renders its clips: the first <see cref="ClipCount"/> WAVs in
/// ordinal name order, each cut to its centred <see cref="CropSeconds"/>, resynthesised from its own mel
/// with the noise of <see cref="Seed"/> + clip index at <see cref="Sigma"/>.
/// </summary>
internal sealed record EvalOptions(int ClipCount = 8, double CropSeconds = 2.0, long Seed = 1, double Sigma = 0.6, Precision Precision = Precision.Fp32)
{
    public void Validate()
    {
        if (ClipCount < 1) throw new WaveFlowException($"--clips {ClipCount}: must be at least 1");
        if (!(CropSeconds > 0)) throw new WaveFlowException($"--crop {CropSeconds}: must be positive (seconds)");
        if (!(Sigma >= 0)) throw new WaveFlowException($"--sigma {Sigma}: must be 0 or more");
    }
}

/// <summary>
/// The spectrogram-error regression check: resynthesis of a fixed clip set with fixed noise, scored
/// against the recordings. Same checkpoint, data and options give the same numbers on the same
/// machine, so a later checkpoint (or code change) can be held to a baseline.
/// </summary>
internal static class Evaluator
{
    public static EvalReport Run(string checkpointPath, LoadedModel loaded, string dataDir, EvalOptions options, Action<string, int, int>? progress = null)
    {
        options.Validate();
        var clips = ClipSource.FromWavs(dataDir, loaded.Mel, options.ClipCount, options.CropSeconds);
        using var synthesizer = new Synthesizer(loaded);
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
