using TorchSharp;
using TorchSharp.Modules;
using WaveFlow.Audio;
using WaveFlow.Core;
using static TorchSharp.torch;

namespace WaveFlow.Vocoder;

/// <summary>
/// A harmonic source in front of the flow, in the spirit of NSF's sine excitation but for an
/// exact-likelihood flow: s(n) = Σ_k A_k(n)·c_k(n), and the flow models audio − s. The shift has
/// a unit Jacobian, so the log-determinant is the flow's alone, and synthesis is inverse(z) + s.
/// <list type="bullet">
/// <item><c>f0</c> predicts F0 and voicing from the mel (<see cref="F0Predictor"/>), trained on the
/// project's pitch tracker run over the training audio.</item>
/// <item>log A_k = E(k·F0) + h_k + gain: E is the log-mel envelope read at the harmonic's
/// frequency (interpolated between the mel bands' centres), h a small network over the mel and
/// pitch (<c>amp_in</c>, <c>amp_out</c>) whose last layer starts at zero, and <c>amp_gain</c> one
/// log-gain set from the first batch (like Glow's data-dependent actnorm init). So the source
/// starts as the mel's own envelope sampled at the harmonics, at the level of the data.</item>
/// <item>The carriers c_k are the training audio's own harmonic phases while training (the
/// likelihood is conditional on them) and cos(k·∫F0) at synthesis (<see cref="HarmonicCarriers"/>).</item>
/// </list>
/// </summary>
internal sealed class HarmonicSource : nn.Module
{
    private readonly F0Predictor f0;
    private readonly SourceConv amp_in;
    private readonly SourceConv amp_out;
    private Parameter amp_gain;

    private readonly double logF0Mid, logF0Half, melLow, melStep;

    public HarmonicSourceOptions Options { get; }
    public MelOptions Mel { get; }

    public HarmonicSource(HarmonicSourceOptions options, MelOptions mel) : base(nameof(HarmonicSource))
    {
        (Options, Mel) = (options, mel);
        f0 = new F0Predictor(mel.NMelChannels, options.PredictorChannels, options.PredictorLayers, options.PredictorKernelSize);
        // Inputs: the mel, the normalised log-F0 and the voicing.
        amp_in = new SourceConv(mel.NMelChannels + 2, options.AmplitudeChannels, 3);
        amp_out = new SourceConv(options.AmplitudeChannels, options.Harmonics, 1, zeroInit: true);
        amp_gain = new Parameter(zeros(1));
        // log-F0 normalised so that [f0_min, f0_max] maps onto [−1, 1].
        (logF0Mid, logF0Half) = ((Math.Log(options.F0Min) + Math.Log(options.F0Max)) / 2, (Math.Log(options.F0Max) - Math.Log(options.F0Min)) / 2);
        // The mel bands' centres are n_mel of n_mel + 2 points equally spaced on Slaney's scale.
        melLow = SlaneyMel(mel.MelFmin);
        melStep = (SlaneyMel(mel.MelFmax) - melLow) / (mel.NMelChannels + 1);
        RegisterComponents();
    }

    /// <summary>Harmonics above this frequency are silent.</summary>
    public double CeilingHz => Options.HarmonicCeiling(Mel.MelFmax);

    /// <summary>Whether <c>amp_gain</c> still holds its constructor value (no data-dependent init yet).</summary>
    public bool GainUnset
    {
        get { using var v = amp_gain.detach().cpu(); return v.item<float>() == 0; }
    }

    /// <summary>mel (B, n_mel, F) → the predictor's raw (B, F) normalised log-F0 and voicing logit.</summary>
    public (Tensor LogF0, Tensor VoicingLogit) PredictRaw(Tensor mel)
    {
        using var scope = NewDisposeScope();
        var out_ = f0.forward(mel);                                        // (B, 2, F)
        return (out_.select(1, 0).MoveToOuterDisposeScope(), out_.select(1, 1).MoveToOuterDisposeScope());
    }

    /// <summary>mel (B, n_mel, F) → F0 in Hz (within [f0_min, f0_max]) and voicing probability, each (B, F).</summary>
    public (Tensor F0Hz, Tensor Voiced) Predict(Tensor mel)
    {
        using var scope = NewDisposeScope();
        var (lf, logit) = PredictRaw(mel);
        var hz = (lf.clamp(-1, 1) * logF0Half + logF0Mid).exp();
        return (hz.MoveToOuterDisposeScope(), logit.sigmoid().MoveToOuterDisposeScope());
    }

    /// <summary>
    /// The predictor's loss against tracked pitch: L1 of the normalised log-F0 over voiced frames
    /// plus the voicing cross-entropy over all frames. f0 (B, F) in Hz, voiced (B, F) in [0, 1].
    /// </summary>
    public Tensor PredictorLoss(Tensor mel, Tensor f0Hz, Tensor voiced)
    {
        using var scope = NewDisposeScope();
        var (lf, logit) = PredictRaw(mel);
        var mask = voiced.gt(0.5).to(lf.dtype);
        var target = (f0Hz.clamp(Options.F0Min, Options.F0Max).log() - logF0Mid) / logF0Half;
        var l1 = ((lf - target).abs() * mask).sum() / mask.sum().clamp_min(1);
        var bce = nn.functional.binary_cross_entropy_with_logits(logit, voiced);
        return (l1 + bce).MoveToOuterDisposeScope();
    }

    /// <summary>mel (B, n_mel, F), f0 (B, F) Hz, voiced (B, F) → log amplitudes (B, harmonics, F).</summary>
    public Tensor LogAmplitudes(Tensor mel, Tensor f0Hz, Tensor voiced)
    {
        using var scope = NewDisposeScope();
        var lf = (f0Hz.clamp(Options.F0Min, Options.F0Max).log() - logF0Mid) / logF0Half;        // (B, F)
        var features = cat([mel, lf.unsqueeze(1), voiced.unsqueeze(1)], 1);                      // (B, n_mel + 2, F)
        var h = amp_out.forward(nn.functional.leaky_relu(amp_in.forward(features), 0.1));        // (B, K, F)
        return (Envelope(mel, f0Hz) + h + amp_gain).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// log A (B, K, F) and carriers (B, K, L) → the source (B, L): amplitudes interpolated
    /// linearly between frame centres (frame j on sample j·hop; the last frame held).
    /// </summary>
    public Tensor Waveform(Tensor logAmplitudes, Tensor carriers)
    {
        using var scope = NewDisposeScope();
        long frames = logAmplitudes.shape[2], samples = carriers.shape[2], hop = Mel.HopLength;
        // exp of an unbounded log could overflow before training has settled; e² is far above any speech amplitude.
        var amp = logAmplitudes.clamp_max(2).exp();
        amp = cat([amp, amp.narrow(2, frames - 1, 1)], 2);                                      // (B, K, F + 1)
        var perSample = nn.functional.interpolate(amp, size: [frames * hop + 1], mode: InterpolationMode.Linear, align_corners: true);   // (B, K, F·hop + 1)
        if (perSample.shape[2] < samples)
            throw new WaveFlowException($"harmonic source: {frames} frames cover {perSample.shape[2]} samples, the carriers have {samples}");
        return (perSample.narrow(2, 0, samples) * carriers).sum(1).MoveToOuterDisposeScope();   // (B, L)
    }

    /// <summary>L1 between log amplitudes (B, K, F) and analysed ones over the mask's frames.</summary>
    public static Tensor AmplitudeLoss(Tensor logAmplitudes, Tensor target, Tensor mask)
    {
        using var scope = NewDisposeScope();
        return (((logAmplitudes - target).abs() * mask).sum() / mask.sum().clamp_min(1)).MoveToOuterDisposeScope();
    }

    /// <summary>Sets <c>amp_gain</c> so that the mean masked log amplitude matches the analysed one:
    /// the summed difference and count come from the caller (all-reduced over ranks), so every rank sets the same gain.</summary>
    public void InitialiseGain(double differenceSum, double count)
    {
        using var _ = no_grad();
        if (count > 0) amp_gain.fill_(differenceSum / count);
    }

    /// <summary>
    /// The source for synthesis: mel (1, n_mel, F) → (1, <paramref name="samples"/>) on the mel's
    /// device, from the predicted pitch, or from <paramref name="f0Override"/> (Hz per frame, 0 =
    /// unvoiced). A mel without voiced frames gives silence.
    /// </summary>
    public Tensor Render(Tensor mel, long samples, float[]? f0Override = null)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        if (mel.shape[0] != 1) throw new WaveFlowException($"harmonic source: renders one mel at a time, got a batch of {mel.shape[0]}");
        mel = mel.to(ScalarType.Float32);
        long frames = mel.shape[2];
        float[] hz, gate;
        if (f0Override is not null)
        {
            if (f0Override.Length != frames) throw new WaveFlowException($"F0 has {f0Override.Length} frames, the mel has {frames}");
            gate = f0Override.Select(f => f > 0 ? 1f : 0f).ToArray();
            hz = HarmonicCarriers.Continuous(f0Override, (float)Math.Exp(logF0Mid));
        }
        else
        {
            var (f, v) = Predict(mel);
            using var fc = f.reshape(-1).cpu();
            using var vc = v.reshape(-1).cpu();
            hz = fc.data<float>().ToArray();
            gate = vc.data<float>().ToArray();
        }
        var f0Tensor = tensor(hz, [1, frames]).to(mel.device);                                        // (1, F)
        var gateTensor = tensor(gate, [1, frames]).to(mel.device);
        var logAmp = LogAmplitudes(mel, f0Tensor, gateTensor);                                        // (1, K, F)
        var carriers = tensor(HarmonicCarriers.Synthesis(hz, gate, samples, Mel.HopLength, Mel.SamplingRate, Options.Harmonics, CeilingHz),
            [1, Options.Harmonics, samples]).to(mel.device);                                            // (1, K, T)
        return Waveform(logAmp, carriers).MoveToOuterDisposeScope();                                 // (1, T)
    }

    /// <summary>The log-mel envelope at k·F0, k = 1..K: mel (B, n_mel, F), f0 (B, F) → (B, K, F).</summary>
    private Tensor Envelope(Tensor mel, Tensor f0Hz)
    {
        using var scope = NewDisposeScope();
        long nMel = mel.shape[1];
        var k = arange(1, Options.Harmonics + 1, dtype: mel.dtype, device: mel.device).view(1, -1, 1);   // (1, K, 1)
        var hz = f0Hz.unsqueeze(1) * k;                                                                   // (B, K, F)
        // Slaney's scale: linear below 1 kHz (3/200 mel per Hz), logarithmic above.
        var mels = where(hz.lt(1000), hz * (3.0 / 200), (hz.clamp_min(1000) / 1000).log() * (27 / Math.Log(6.4)) + 15);
        var index = ((mels - melLow) / melStep - 1).clamp(0, nMel - 1);                                  // fractional band
        var low = index.floor().clamp_max(nMel - 2).to(ScalarType.Int64);
        var frac = index - low.to(index.dtype);
        var below = mel.gather(1, low);
        var above = mel.gather(1, low + 1);
        return (below + (above - below) * frac).MoveToOuterDisposeScope();
    }

    private static double SlaneyMel(double hz) => hz < 1000 ? hz * 3.0 / 200 : 15 + Math.Log(hz / 1000) * 27 / Math.Log(6.4);
}
