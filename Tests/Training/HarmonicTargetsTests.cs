using WaveFlow.Audio;
using WaveFlow.Training.Data;
using WaveFlow.Vocoder;

namespace WaveFlow.Tests.Training;

/// <summary>
/// The harmonic source's training targets on a signal of known truth: a harmonic tone whose F0
/// glides from 120 to 180 Hz, with amplitudes 0.3/k and a fixed phase per harmonic.
/// </summary>
public class HarmonicTargetsTests
{
    private static readonly MelOptions Mel = new();
    private static readonly HarmonicSourceOptions Source = new() { Harmonics = 24 };

    private static (float[] Audio, double[] F0) GlidingTone(int samples, int harmonics)
    {
        var audio = new float[samples];
        var f0 = new double[samples];
        var rng = new Random(7);
        var theta = Enumerable.Range(0, harmonics).Select(_ => rng.NextDouble() * 2 * Math.PI).ToArray();
        double phase = 0;
        for (int n = 0; n < samples; n++)
        {
            f0[n] = 120 + 60.0 * n / samples;
            double x = 0;
            for (int k = 1; k <= harmonics && k * f0[n] < 8000; k++) x += 0.3 / k * Math.Cos(k * phase + theta[k - 1]);
            audio[n] = (float)(0.5 * x);
            phase += 2 * Math.PI * f0[n] / Mel.SamplingRate;
        }
        return (audio, f0);
    }

    [Fact]
    public void TheRecordingsOwnHarmonicsAreRebuiltFromTheTargets()
    {
        var (audio, f0) = GlidingTone(Mel.SamplingRate, Source.Harmonics);
        var targets = new HarmonicTargets(Source, Mel);
        var clip = targets.Analyse(audio);
        var batch = targets.Segments([(clip, 0)], audio.Length);
        int k = batch.Harmonics, frames = batch.Frames, hop = Mel.HopLength;

        // tracked F0 within 1 % of the truth on the voiced frames away from the ends
        for (int j = 4; j < frames - 4; j++)
        {
            Assert.Equal(1f, batch.Voiced[j]);
            Assert.InRange(batch.F0[j] / f0[j * hop], 0.99, 1.01);
        }
        // Σ_k A_k·carrier_k rebuilds the tone: residual energy under 1 % away from the ends
        double error = 0, energy = 0;
        for (int n = 2048; n < audio.Length - 2048; n++)
        {
            int j = n / hop;
            double a = (double)(n - j * hop) / hop, rebuilt = 0;
            for (int h = 0; h < k; h++)
            {
                double logA = batch.LogAmplitude[h * frames + j] + (batch.LogAmplitude[h * frames + j + 1] - batch.LogAmplitude[h * frames + j]) * a;
                rebuilt += Math.Exp(logA) * batch.Carriers[(long)h * audio.Length + n];
            }
            error += (audio[n] - rebuilt) * (audio[n] - rebuilt);
            energy += (double)audio[n] * audio[n];
        }
        Assert.InRange(error / energy, 0, 0.01);
        // each analysed amplitude within 5 % of 0.15/k in the middle frame
        int mid = frames / 2;
        for (int h = 0; h < 10; h++)
            Assert.InRange(Math.Exp(batch.LogAmplitude[h * frames + mid]) / (0.15 / (h + 1)), 0.95, 1.05);
    }
}
