namespace WaveFlow.Tests.Audio;

/// <summary>Signals with known truth for the pitch, voicing and tremolo measures, made in C#.</summary>
public static class TestSignals
{
    public const int Rate = 22050;

    /// <summary>A harmonic tone (6 harmonics, amplitudes 1/h) following <paramref name="f0"/>(t) in Hz;
    /// the phase is the integral of the frequency, so the contour is exact.</summary>
    public static float[] Harmonic(double seconds, Func<double, double> f0, double gain = 0.3)
    {
        int n = (int)(seconds * Rate);
        var x = new float[n];
        double phase = 0;
        for (int i = 0; i < n; i++)
        {
            double t = (double)i / Rate, v = 0;
            for (int h = 1; h <= 6; h++) v += Math.Sin(h * phase) / h;
            x[i] = (float)(gain * v / 2);
            phase += 2 * Math.PI * f0(t) / Rate;
        }
        return x;
    }

    /// <summary>A glide from 110 to 330 Hz (log-linear, 1.58 octaves) over the duration.</summary>
    public static Func<double, double> Glide(double seconds) => t => 110 * Math.Pow(3, t / seconds);

    /// <summary>Vibrato: 200 Hz ± 50 cents at 5.5 Hz.</summary>
    public static double Vibrato(double t) => 200 * Math.Pow(2, 50.0 / 1200 * Math.Sin(2 * Math.PI * 5.5 * t));

    /// <summary>Multiplies by a(t) = 1 − D·(1 − cos 2πft)/2: gain between 1 and 1 − D (sox's tremolo f D).</summary>
    public static float[] WithTremolo(float[] x, double hz, double depth) =>
        x.Select((v, i) => (float)(v * (1 - depth * (1 - Math.Cos(2 * Math.PI * hz * i / Rate)) / 2))).ToArray();

    /// <summary>White noise with the frame RMS envelope of <paramref name="like"/> (256-sample frames).</summary>
    public static float[] NoiseShapedLike(float[] like, int seed = 3)
    {
        var rng = new Random(seed);
        var y = new float[like.Length];
        const int frame = 256;
        for (int s = 0; s < like.Length; s += frame)
        {
            int e = Math.Min(like.Length, s + frame);
            double rms = Math.Sqrt(like[s..e].Sum(v => (double)v * v) / (e - s));
            for (int i = s; i < e; i++) y[i] = (float)(rms * Math.Sqrt(3) * (2 * rng.NextDouble() - 1)); // uniform: variance 1/3
        }
        return y;
    }

    /// <summary>Scaled by <paramref name="db"/> decibels.</summary>
    public static float[] Gain(float[] x, double db) => x.Select(v => (float)(v * Math.Pow(10, db / 20))).ToArray();

    /// <summary>Delayed by <paramref name="samples"/> (zeros in front, the end cut: the same length).</summary>
    public static float[] Delayed(float[] x, int samples) => [.. new float[samples], .. x[..^samples]];

    /// <summary>Plus uniform white noise <paramref name="snrDb"/> below the signal's mean power.</summary>
    public static float[] WithNoise(float[] x, double snrDb, int seed = 5)
    {
        var rng = new Random(seed);
        double power = x.Average(v => (double)v * v), amplitude = Math.Sqrt(3 * power / Math.Pow(10, snrDb / 10));   // uniform: variance a²/3
        return x.Select(v => (float)(v + amplitude * (2 * rng.NextDouble() - 1))).ToArray();
    }
}
