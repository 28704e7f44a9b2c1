using WaveFlow.Core;
using WaveFlow.Core.IO;
using WaveFlow.Core.Imaging;

namespace WaveFlow.Audio.Imaging;

/// <summary>
/// Log-mel spectrograms as PNG images: time to the right, low frequencies at the bottom,
/// viridis colours over the top <see cref="DynamicRange"/> nats of the mel.
/// </summary>
internal static class SpectrogramImage
{
    /// <summary>Range shown below the loudest value: 11.5 nats of magnitude ≈ 100 dB. Quieter is drawn as the floor colour.</summary>
    public const float DynamicRange = 11.5f;

    // Viridis (matplotlib's default colormap) sampled at 0, 1/8, ..., 1; linear in between.
    private static readonly byte[,] Viridis =
    {
        { 68, 1, 84 }, { 71, 44, 122 }, { 59, 81, 139 }, { 44, 113, 142 }, { 33, 145, 140 },
        { 39, 173, 129 }, { 92, 200, 99 }, { 170, 220, 50 }, { 253, 231, 37 },
    };

    /// <summary>Writes the PNG of <paramref name="mel"/> [n_mel, T] atomically; each bin is <paramref name="scale"/>×<paramref name="scale"/> pixels.</summary>
    public static void WritePng(string path, FloatArray mel, int scale = 1) => AtomicFile.WriteAllBytes(path, EncodePng(mel, scale));

    /// <summary>The PNG bytes of <paramref name="mel"/> [n_mel, T] (for TensorBoard or files).</summary>
    public static byte[] EncodePng(FloatArray mel, int scale = 1)
    {
        if (mel.Shape.Length != 2 || mel.Shape[0] < 1 || mel.Shape[1] < 1)
            throw new ArgumentException($"mel must be [n_mel, T] with T ≥ 1, got [{string.Join(", ", mel.Shape)}]");
        if (scale < 1 || scale > 16) throw new ArgumentOutOfRangeException(nameof(scale), scale, "must be 1..16");
        int nMel = (int)mel.Shape[0], frames = (int)mel.Shape[1];
        int width = frames * scale, height = nMel * scale;

        float hi = float.NegativeInfinity, lo = float.PositiveInfinity;
        foreach (float v in mel.Data)
            if (float.IsFinite(v)) { hi = Math.Max(hi, v); lo = Math.Min(lo, v); }
        if (!float.IsFinite(hi)) hi = lo = 0;
        lo = Math.Max(lo, hi - DynamicRange);
        float span = hi > lo ? hi - lo : 1f;

        var rgb = new byte[3L * width * height];
        for (int y = 0; y < height; y++)
        {
            int m = nMel - 1 - y / scale;  // top row of the image is the highest mel band
            for (int x = 0; x < width; x++)
            {
                float v = mel.Data[m * frames + x / scale];
                float t = float.IsFinite(v) ? Math.Clamp((v - lo) / span, 0f, 1f) : 0f;
                Colour(t, rgb.AsSpan(3 * (y * width + x), 3));
            }
        }
        return PngEncoder.EncodeRgb(rgb, width, height);
    }

    /// <summary>The viridis colour of <paramref name="t"/> in [0, 1].</summary>
    internal static void Colour(float t, Span<byte> rgb)
    {
        float position = t * (Viridis.GetLength(0) - 1);
        int i = Math.Min((int)position, Viridis.GetLength(0) - 2);
        float f = position - i;
        for (int c = 0; c < 3; c++)
            rgb[c] = (byte)Math.Round(Viridis[i, c] + f * (Viridis[i + 1, c] - Viridis[i, c]));
    }
}
