using System.Collections.Concurrent;
using System.Numerics;
using WaveFlow.Audio;
using WaveFlow.Audio.Dsp.Prosody;
using WaveFlow.Vocoder;

namespace WaveFlow.Training.Data;

/// <summary>
/// Training targets of a <see cref="HarmonicSource"/>, from the audio itself. Each clip is
/// analysed once (and cached by id): the project's YIN tracker gives F0 and voicing per mel hop;
/// the fundamental phase ψ integrates F0; and each harmonic's complex amplitude is found by
/// heterodyning, c_k(j) = 2/Σw · Σ_n w(n − j·hop)·x(n)·e^{−ik·ψ(n)} with a Hann window of
/// filter_length samples (its main lobe, ±2·sr/filter_length, is narrower than the spacing of
/// harmonics of f0_min, so each c_k holds one harmonic). A segment's carriers are then
/// cos(k·ψ + arg c_k): the harmonics as they are in the recording, which the source's amplitudes
/// can match sample for sample.
/// </summary>
internal sealed class HarmonicTargets
{
    private readonly HarmonicSourceOptions _options;
    private readonly MelOptions _mel;
    private readonly double _ceiling;
    private readonly ConcurrentDictionary<string, ClipHarmonics> _cache = new();

    // The floor of the analysed log magnitudes: the mel's own log floor.
    private const double LogFloorAmplitude = 1e-5;

    public HarmonicTargets(HarmonicSourceOptions options, MelOptions mel)
    {
        (_options, _mel) = (options, mel);
        _ceiling = options.HarmonicCeiling(mel.MelFmax);
    }

    /// <summary>The analysis of a clip, computed on first use.</summary>
    public ClipHarmonics For(string id, Func<float[]> load) => _cache.GetOrAdd(id, _ => Analyse(load()));

    public ClipHarmonics Analyse(float[] audio)
    {
        int hop = _mel.HopLength, window = _mel.FilterLength, rate = _mel.SamplingRate, k = _options.Harmonics;
        var track = PitchTracker.Track(audio, rate, new PitchSettings(MinF0: _options.F0Min, MaxF0: _options.F0Max, Hop: hop, Window: window));
        int frames = track.Frames;
        var voiced = track.Voiced.Select(v => v ? 1f : 0f).ToArray();
        var f0 = HarmonicCarriers.Continuous(track.F0.Select(f => (float)f).ToArray(), (float)Math.Sqrt(_options.F0Min * _options.F0Max));

        // ψ at frame centres (the exact integral of the linearly interpolated F0), then per sample.
        var phase = new double[frames];
        for (int j = 1; j < frames; j++) phase[j] = phase[j - 1] + 2 * Math.PI * hop * (f0[j - 1] + f0[j]) / (2.0 * rate);
        var unit = new Complex[audio.Length];
        for (int n = 0; n < audio.Length; n++)
        {
            double psi = PhaseAt(n, f0, phase, hop, rate);
            unit[n] = new Complex(Math.Cos(psi), -Math.Sin(psi));          // e^{−iψ(n)}
        }

        var hann = new double[window];
        double wsum = 0;
        for (int i = 0; i < window; i++) wsum += hann[i] = 0.5 - 0.5 * Math.Cos(2 * Math.PI * i / window);
        var re = new float[frames * k];
        var im = new float[frames * k];
        var logMag = new float[frames * k];
        var c = new Complex[k];
        for (int j = 0; j < frames; j++)
        {
            Array.Clear(c);
            int first = j * hop - window / 2;
            for (int i = 0; i < window; i++)
            {
                int n = first + i;
                if (n < 0 || n >= audio.Length || audio[n] == 0) continue;
                var weighted = hann[i] * audio[n];
                var power = unit[n];
                for (int h = 0; h < k; h++)
                {
                    c[h] += weighted * power;
                    power *= unit[n];
                }
            }
            for (int h = 0; h < k; h++)
            {
                var ck = c[h] * (2 / wsum);
                double mag = ck.Magnitude;
                logMag[j * k + h] = (float)Math.Log(Math.Max(mag, LogFloorAmplitude));
                (re[j * k + h], im[j * k + h]) = mag > 0 ? ((float)(ck.Real / mag), (float)(ck.Imaginary / mag)) : (1f, 0f);
            }
        }
        return new ClipHarmonics(audio.Length, f0, voiced, phase, re, im, logMag);
    }

    /// <summary>
    /// Targets for segments of <paramref name="segmentLength"/> samples starting at
    /// <c>Start</c> in each clip (samples past a clip's end are padding: unvoiced, no carrier).
    /// </summary>
    public SourceBatch Segments(IReadOnlyList<(ClipHarmonics Clip, int Start)> slots, int segmentLength)
    {
        int hop = _mel.HopLength, rate = _mel.SamplingRate, k = _options.Harmonics;
        int frames = segmentLength / hop + 1, b = slots.Count;
        var f0 = new float[b * frames];
        var voiced = new float[b * frames];
        var logAmp = new float[b * k * frames];
        var mask = new float[b * k * frames];
        var carriers = new float[(long)b * k * segmentLength];
        for (int s = 0; s < b; s++)
        {
            var (clip, start) = slots[s];
            // per mel frame of the segment (centred on start + j·hop)
            for (int j = 0; j < frames; j++)
            {
                long at = start + (long)j * hop;
                if (at >= clip.Length) { f0[s * frames + j] = clip.F0[^1]; continue; }
                var (j0, j1, a) = Between(at, hop, clip.Frames);
                float fj = Lerp(clip.F0[j0], clip.F0[j1], a), vj = Lerp(clip.Voiced[j0], clip.Voiced[j1], a);
                f0[s * frames + j] = fj;
                voiced[s * frames + j] = vj;
                for (int h = 0; h < k; h++)
                {
                    long idx = ((long)s * k + h) * frames + j;
                    logAmp[idx] = Lerp(clip.LogMagnitude[j0 * k + h], clip.LogMagnitude[j1 * k + h], a);
                    mask[idx] = vj > 0.5f && (h + 1) * fj < _ceiling ? 1f : 0f;
                }
            }
            // per sample: cos(k·ψ + arg c_k), the phasor interpolated between frames
            int end = Math.Min(segmentLength, clip.Length - start);
            for (int n = 0; n < end; n++)
            {
                long g = start + n;
                var (j0, j1, a) = Between(g, hop, clip.Frames);
                float v = Lerp(clip.Voiced[j0], clip.Voiced[j1], a);
                if (v <= 0) continue;
                float fn = Lerp(clip.F0[j0], clip.F0[j1], a);
                double psi = PhaseAt(g, clip.F0, clip.Phase, hop, rate);
                var step = new Complex(Math.Cos(psi), Math.Sin(psi));
                var power = step;
                for (int h = 0; h < k && (h + 1) * fn < _ceiling; h++)
                {
                    double pr = Lerp(clip.PhasorRe[j0 * k + h], clip.PhasorRe[j1 * k + h], a);
                    double pi = Lerp(clip.PhasorIm[j0 * k + h], clip.PhasorIm[j1 * k + h], a);
                    double norm = Math.Sqrt(pr * pr + pi * pi);
                    if (norm > 1e-6) carriers[((long)s * k + h) * segmentLength + n] = (float)(v * (pr * power.Real - pi * power.Imaginary) / norm);
                    power *= step;
                }
            }
        }
        return new SourceBatch(f0, voiced, frames, logAmp, mask, carriers, k, segmentLength);
    }

    /// <summary>ψ(n): the phase at frame j plus the integral of the linearly interpolated F0 over the d = n − j·hop samples since.</summary>
    private static double PhaseAt(long n, float[] f0, double[] phase, int hop, int rate)
    {
        int last = f0.Length - 1;
        int j = (int)Math.Min(n / hop, last);
        double d = n - (long)j * hop;
        double fa = f0[j], fb = f0[Math.Min(j + 1, last)];
        if (j == last) fb = fa;
        return phase[j] + 2 * Math.PI / rate * (fa * d + (fb - fa) * d * d / (2.0 * hop));
    }

    private static (int J0, int J1, float A) Between(long n, int hop, int frames)
    {
        int j0 = (int)Math.Min(n / hop, frames - 1);
        int j1 = Math.Min(j0 + 1, frames - 1);
        float a = j0 == frames - 1 ? 0 : (float)(n - (long)j0 * hop) / hop;
        return (j0, j1, a);
    }

    private static float Lerp(float x, float y, float a) => x + (y - x) * a;
}
