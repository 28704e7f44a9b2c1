using NWaves.Transforms;
using WaveFlow.Core;

namespace WaveFlow.Audio.Dsp;

/// <summary>
/// Tacotron2's TacotronSTFT.mel_spectrogram on the CPU, for files: reflect-pad filter_length/2,
/// frames every hop_length, periodic Hann window of win_length centred in filter_length,
/// magnitude |FFT|, Slaney mel filterbank, ln(clamp(mel, 1e-5)).
/// <para>
/// NWaves does the FFT (<see cref="RealFft64"/>: in double precision, which lands closer to the
/// float32 reference than a float32 FFT does) and the filterbank. Its
/// <see cref="Stft"/> cannot be used for the framing: it neither centres frames with reflect
/// padding (librosa's center=True) nor offers a periodic window (<see cref="HannWindow"/>).
/// </para>
/// </summary>
internal sealed class MelSpectrogram
{
    /// <summary>The floor of the log (Tacotron2's dynamic_range_compression clip_val).</summary>
    public const float LogFloor = 1e-5f;

    private readonly MelOptions options;
    private readonly float[] filterbank;   // [n_mel, nFreq]
    private readonly float[] window;       // [filter_length], zero outside the centred win_length
    private readonly bool powerOfTwo;        // NWaves' FFT; else the DFT table
    private readonly double[]? dftTable;     // other lengths: [nFreq, 2, filter_length] cos / −sin rows

    public MelOptions Options => options;

    public MelSpectrogram(MelOptions options)
    {
        options.Validate("mel options");
        this.options = options;
        filterbank = MelFilterbank.Create(options);
        window = Array.ConvertAll(HannWindow.Periodic(options.FilterLength, options.WinLength), v => (float)v);
        // NWaves' FFT needs a power of two; other filter lengths (800 in some 16 kHz configs)
        // get a direct DFT from a table, O(N²) per frame but exact.
        powerOfTwo = (options.FilterLength & (options.FilterLength - 1)) == 0;
        if (!powerOfTwo) dftTable = DftTable(options.FilterLength);
    }

    /// <summary>Audio in [-1, 1] (int16/32768) → log mel [n_mel, samples/hop + 1].</summary>
    public FloatArray Compute(ReadOnlySpan<float> audio) => LogMel(Magnitude(audio, out int frames), frames);

    /// <summary>Frame-major magnitudes [frames, nFreq] (from <see cref="Magnitude"/>) → log mel [n_mel, frames].</summary>
    public FloatArray LogMel(float[] magnitude, int frames)
    {
        int nMel = options.NMelChannels, nFreq = options.NFreq;
        var mel = new float[nMel * frames];
        for (int m = 0; m < nMel; m++)
        {
            var row = filterbank.AsSpan(m * nFreq, nFreq);
            // Each triangle is zero outside a few bins: skip them.
            int lo = 0, hi = nFreq - 1;
            while (lo < nFreq && row[lo] == 0) lo++;
            while (hi > lo && row[hi] == 0) hi--;
            for (int f = 0; f < frames; f++)
            {
                var spectrum = magnitude.AsSpan(f * nFreq, nFreq);
                double sum = 0;
                for (int k = lo; k <= hi; k++) sum += row[k] * spectrum[k];
                mel[m * frames + f] = MathF.Log(Math.Max((float)sum, LogFloor));
            }
        }
        return new FloatArray(mel, [nMel, frames]);
    }

    /// <summary>
    /// Linear magnitude, frame-major [frames, nFreq] (row f is frame f). The audio is scaled by
    /// 32768/max_wav_value so that a config with another max_wav_value scales int16 input as the
    /// reference does (1 for the usual 32768).
    /// </summary>
    public float[] Magnitude(ReadOnlySpan<float> audio, out int frames)
    {
        int n = options.FilterLength, half = n / 2, hop = options.HopLength, nFreq = options.NFreq;
        if (audio.Length <= half)
            throw new WaveFlowException($"audio of {audio.Length} samples is too short: the mel front end needs more than {half} (filter_length/2)");
        float scale = (float)(32768.0 / options.MaxWavValue);
        float[] padded = ReflectPad(audio, half, scale);
        frames = audio.Length / hop + 1;
        var magnitude = new float[frames * nFreq];
        // NWaves' FFT keeps work buffers, so each call has its own: Compute is thread-safe.
        var fft = powerOfTwo ? new RealFft64(n) : null;
        var frame = new double[n];
        var re = new double[n];
        var im = new double[n];
        for (int f = 0; f < frames; f++)
        {
            for (int t = 0; t < n; t++) frame[t] = padded[f * hop + t] * window[t];
            if (fft is not null) fft.Direct(frame, re, im);
            else Dft(frame, re, im);
            for (int k = 0; k < nFreq; k++) magnitude[f * nFreq + k] = (float)Math.Sqrt(re[k] * re[k] + im[k] * im[k]);
        }
        return magnitude;
    }

    private static double[] DftTable(int n)
    {
        int nFreq = n / 2 + 1;
        var table = new double[nFreq * 2 * n];
        for (int k = 0; k < nFreq; k++)
            for (int t = 0; t < n; t++)
            {
                double angle = 2 * Math.PI * ((long)k * t % n) / n;
                table[(2 * k) * n + t] = Math.Cos(angle);
                table[(2 * k + 1) * n + t] = -Math.Sin(angle);
            }
        return table;
    }

    private void Dft(double[] frame, double[] re, double[] im)
    {
        int n = frame.Length;
        for (int k = 0; k < n / 2 + 1; k++)
        {
            var c = dftTable.AsSpan(2 * k * n, n);
            var s = dftTable.AsSpan((2 * k + 1) * n, n);
            double a = 0, b = 0;
            for (int t = 0; t < n; t++) { a += c[t] * frame[t]; b += s[t] * frame[t]; }
            re[k] = a;
            im[k] = b;
        }
    }

    /// <summary>numpy.pad(mode="reflect"): mirror around the first and last sample, which are not repeated.</summary>
    internal static float[] ReflectPad(ReadOnlySpan<float> audio, int pad, float scale = 1f)
    {
        int length = audio.Length;
        var padded = new float[length + 2 * pad];
        for (int i = 0; i < padded.Length; i++)
        {
            int j = i - pad;
            if (j < 0) j = -j;
            else if (j >= length) j = 2 * (length - 1) - j;
            padded[i] = audio[j] * scale;
        }
        return padded;
    }
}
