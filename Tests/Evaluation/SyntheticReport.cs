using WaveFlow.Audio.Dsp;
using WaveFlow.Evaluation.Comparison;

namespace WaveFlow.Tests.Evaluation;

/// <summary>A report made of sine tones, for testing the page and the A/B bookkeeping without a model.</summary>
static class SyntheticReport
{
    public static readonly string[] Systems = ["alpha-12x8", "beta-8x4", "griffin-lim"];
    public static readonly string[] Clips = ["clip-one", "clip-two"];

    public static ReportContent Create(int seed = 1)
    {
        var systems = new List<SystemInfo>
        {
            new(Systems[0], SystemKind.Model, new ModelStructure(80, 12, 8, 4, 2, 8, 256, 3, "affine", "invertible 1x1"), 87_900_000, 345_000_000, "a.pt", "nvidia"),
            new(Systems[1], SystemKind.Model, new ModelStructure(80, 8, 8, 4, 2, 4, 64, 3, "affine", "invertible 1x1"), 10_200_000, 40_000_000, "b.safetensors", "waveflow"),
            new(Systems[2], SystemKind.GriffinLim),
        };
        var audio = new List<RenderedAudio>();
        var scores = new List<ClipScore>();
        for (int c = 0; c < Clips.Length; c++)
            for (int s = 0; s < Systems.Length; s++)
            {
                audio.Add(new RenderedAudio(Clips[c], Systems[s], Pcm16Wav(Tone(220 * (s + 1) + 55 * c, 0.4, 8000), 8000)));
                scores.Add(new ClipScore(Clips[c], Systems[s], 0.4, 0.5 + s + c, 4.0 + s, 0.1 * (s + 1), s < 2 ? -4.5 + s : null, s < 2 ? 0.25 * (s + 1) : null));
            }
        return new ReportContent("Synthetic comparison", seed, 0.6, "2 synthetic clips", systems, Clips, scores, audio);
    }

    static float[] Tone(double hz, double seconds, int rate) =>
        Enumerable.Range(0, (int)(seconds * rate)).Select(i => (float)(0.3 * Math.Sin(2 * Math.PI * hz * i / rate))).ToArray();

    /// <summary>A canonical 44-byte-header PCM16 mono WAV, written here independently of the Audio project.</summary>
    public static byte[] Pcm16Wav(float[] samples, int rate)
    {
        var ms = new MemoryStream();
        var w = new BinaryWriter(ms);
        int dataBytes = samples.Length * 2;
        w.Write("RIFF"u8); w.Write(36 + dataBytes); w.Write("WAVE"u8);
        w.Write("fmt "u8); w.Write(16); w.Write((short)1); w.Write((short)1); w.Write(rate); w.Write(rate * 2); w.Write((short)2); w.Write((short)16);
        w.Write("data"u8); w.Write(dataBytes);
        foreach (var s in samples) w.Write((short)Math.Round(Math.Clamp(s, -1f, 1f) * 32767));
        w.Flush();
        return ms.ToArray();
    }
}
