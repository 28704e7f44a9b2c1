using WaveFlow.Audio.Dsp;
using WaveFlow.Audio.Dsp.Prosody;
using WaveFlow.Core;
using WaveFlow.Core.Runtime;
using WaveFlow.Training.Data;
using WaveFlow.Training.Distributed;
using WaveFlow.Vocoder;
using static TorchSharp.torch;

namespace WaveFlow.Training.Loop;

/// <summary>
/// Validation on the held-out clips: (1) the mean NLL per sample, the training loss on whole
/// clips (weighted by length, so it is the NLL of all held-out audio), and (2) the mean absolute
/// difference of log mels (SpectralMetrics.LogMelL1) between each clip and its resynthesis from its own mel at sigma 0.6
/// (the synthesis setting), i.e. how close what the model would say is to what was said. The
/// noise comes from a CPU generator seeded per clip, so every validation uses the same noise;
/// and (3) the resynthesis's voicing error, HNR gap and F0 RMSE against the clip (ProsodyMetrics),
/// so a run shows when voicing appears. With a harmonic source the NLL is that of audio − source
/// (the source on the clip's own harmonic phases, as in training) and the resynthesis adds the
/// source rendered from the predicted pitch, as synthesis does.
/// </summary>
internal sealed class Validator
{
    public const double SynthesisSigma = 0.6;
    private readonly IReadOnlyList<float[]> _clips;
    private readonly TorchMelSpectrogram _mel;
    private readonly Device _device;
    private readonly double _sigma;
    private readonly long _seed;
    private readonly int _nGroup;
    // Each clip's harmonic-source targets (whole clip), made once: the clips never change.
    private readonly SourceBatch[]? _sourceTargets;

    /// <summary>Validation over <paramref name="clips"/> (held-out audio, each trimmed by <see cref="Trim"/>).</summary>
    public Validator(IReadOnlyList<float[]> clips, TorchMelSpectrogram mel, Device device, double sigma, long seed, int nGroup, HarmonicTargets? targets = null)
    {
        if (clips.Count == 0) throw new ArgumentException("no validation clips", nameof(clips));
        (_clips, _mel, _device, _sigma, _seed, _nGroup) = (clips, mel, device, sigma, seed, nGroup);
        _sourceTargets = targets is null ? null : clips.Select(c => targets.Segments([(targets.Analyse(c), 0)], c.Length)).ToArray();
    }

    /// <summary>Cuts a clip to at most <paramref name="maxSamples"/> (0: no limit) and to a multiple of n_group.</summary>
    public static float[] Trim(float[] audio, int maxSamples, int nGroup)
    {
        int n = maxSamples > 0 ? Math.Min(audio.Length, maxSamples) : audio.Length;
        n -= n % nGroup;
        return audio[..n];
    }

    /// <summary>(1, n_mel, T) on any device → FloatArray [n_mel, T].</summary>
    private static FloatArray ToArray(Tensor mel)
    {
        using var cpu = mel.squeeze(0).cpu().contiguous();
        return new FloatArray(cpu.data<float>().ToArray(), cpu.shape);
    }

    /// <summary>Validates on all clips; with a process group of several ranks each rank takes
    /// every world-th clip (rank 0 the first, whose audio is returned for listening) and the sums
    /// are all-reduced, so every rank returns the same NLL and L1 as one process would.</summary>
    public ValidationResult Run(WaveGlow model, IProcessGroup? group = null)
    {
        int rank = group?.Rank ?? 0, world = group?.WorldSize ?? 1;
        bool wasTraining = model.training;
        model.eval();
        try
        {
            using var noGrad = no_grad();
            double nllSum = 0, l1Sum = 0, voicingSum = 0, hnrSum = 0, hnrCount = 0, f0Sum = 0, f0Count = 0;
            long samples = 0;
            float[] firstSynth = [];
            FloatArray? firstMel = null, firstSynthMel = null;
            for (int i = rank; i < _clips.Count; i += world)
            {
                using var gcGuard = ScalarGuard.Enter();     // see ScalarGuard: TorchSharp's Scalars vs the GC
                using var scope = NewDisposeScope();
                var clip = _clips[i];
                var audio = tensor(clip, [1, clip.Length]).to(_device);            // (1, T)
                var mel = _mel.Compute(audio);                                       // (1, n_mel, T/hop + 1)
                var flowInput = audio;
                if (model.Source is { } source && _sourceTargets is not null)
                {
                    var t = _sourceTargets[i];
                    var carriers = tensor(t.Carriers, [1, t.Harmonics, clip.Length]).to(_device);                  // (1, K, T)
                    var f0 = tensor(t.F0, [1, t.Frames]).to(_device);
                    var voiced = tensor(t.Voiced, [1, t.Frames]).to(_device);
                    flowInput = audio - source.Waveform(source.LogAmplitudes(mel, f0, voiced), carriers);
                }
                var (z, logS, logDet) = model.Forward(flowInput, mel);
                nllSum += WaveGlowLoss.Compute(z, logS, logDet, _sigma).item<float>() * (double)clip.Length;
                samples += clip.Length;

                using var generator = new Generator((ulong)SeededStream.Derive(_seed, Purpose.Validation, i).NextUInt64());
                var eps = randn([1, _nGroup, clip.Length / _nGroup], generator: generator).to(_device);  // (1, g, T/g)
                var synth = new WorkspaceInverse(model).Inverse(eps * SynthesisSigma, mel);               // (1, T)
                if (model.Source is { } renderer) synth = synth + renderer.Render(mel, synth.shape[1]);
                var synthMel = _mel.Compute(synth.clamp(-1, 1));                  // clipped as a WAV would be
                var (reference, estimate) = (ToArray(mel), ToArray(synthMel));
                l1Sum += SpectralMetrics.LogMelL1(reference, estimate);
                float[] synthesis = synth.clamp(-1, 1).cpu().data<float>().ToArray();
                var prosody = ProsodyMetrics.Compare(clip, synthesis, _mel.Options.SamplingRate);
                voicingSum += prosody.VoicingError;
                if (prosody.HnrGapDb is { } gap) (hnrSum, hnrCount) = (hnrSum + gap, hnrCount + 1);
                if (prosody.F0RmseCents is { } cents) (f0Sum, f0Count) = (f0Sum + cents, f0Count + 1);
                if (i == 0) (firstSynth, firstMel, firstSynthMel) = (synth.cpu().data<float>().ToArray(), reference, estimate);
            }
            if (world > 1)
            {
                var sums = new[] { nllSum, samples, l1Sum, voicingSum, hnrSum, hnrCount, f0Sum, f0Count };
                group!.AllReduceSum(sums);
                (nllSum, samples, l1Sum, voicingSum, hnrSum, hnrCount, f0Sum, f0Count) = (sums[0], (long)sums[1], sums[2], sums[3], sums[4], sums[5], sums[6], sums[7]);
            }
            firstMel ??= new FloatArray([], [0, 0]);          // ranks other than 0 do not hold clip 0
            firstSynthMel ??= firstMel;
            return new ValidationResult(nllSum / samples, l1Sum / _clips.Count, _clips[0], firstSynth, firstMel, firstSynthMel)
            {
                VoicingError = voicingSum / _clips.Count,
                HnrGapDb = hnrCount > 0 ? hnrSum / hnrCount : double.NaN,
                F0RmseCents = f0Count > 0 ? f0Sum / f0Count : double.NaN,
            };
        }
        finally
        {
            if (wasTraining) model.train();
        }
    }
}
