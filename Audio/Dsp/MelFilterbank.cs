using NWaves.Filters.Fda;

namespace WaveFlow.Audio.Dsp;

/// <summary>
/// The Slaney mel filterbank of librosa.filters.mel(htk=False, norm="slaney"), which Tacotron2's
/// TacotronSTFT uses: triangles between mel points equally spaced on Slaney's mel scale (linear
/// below 1 kHz, logarithmic above), each scaled by 2/(right − left) Hz so that bands have equal area.
/// Shared by <see cref="MelSpectrogram"/>, <see cref="TorchMelSpectrogram"/> and Griffin-Lim.
/// </summary>
internal static class MelFilterbank
{
    /// <summary>Row-major [n_mel, filter_length/2 + 1].</summary>
    public static float[] Create(MelOptions options)
    {
        // NWaves' MelBankSlaney builds the same triangles as librosa (Hz-linear slopes between
        // Slaney mel points, area-normalised); the tests check it against librosa's formula and
        // the reference mels.
        float[][] rows = FilterBanks.MelBankSlaney(
            options.NMelChannels, options.FilterLength, options.SamplingRate,
            options.MelFmin, options.MelFmax, normalizeGain: true);
        int nFreq = options.NFreq;
        var flat = new float[options.NMelChannels * nFreq];
        for (int m = 0; m < rows.Length; m++) rows[m].AsSpan(0, nFreq).CopyTo(flat.AsSpan(m * nFreq));
        return flat;
    }

    /// <summary>
    /// The Moore–Penrose pseudo-inverse of the filterbank, row-major [filter_length/2 + 1, n_mel]:
    /// maps a mel magnitude back to the least-norm linear magnitude (used by Griffin-Lim).
    /// Computed as Mᵀ(MMᵀ)⁻¹ in double precision (M has full row rank when no band is empty).
    /// </summary>
    public static float[] PseudoInverse(MelOptions options)
    {
        float[] bank = Create(options);
        int nMel = options.NMelChannels, nFreq = options.NFreq;
        // Gram matrix G = M Mᵀ (n_mel × n_mel), symmetric positive definite.
        var g = new double[nMel, nMel];
        for (int i = 0; i < nMel; i++)
            for (int j = 0; j <= i; j++)
            {
                double s = 0;
                for (int k = 0; k < nFreq; k++) s += (double)bank[i * nFreq + k] * bank[j * nFreq + k];
                g[i, j] = g[j, i] = s;
            }
        double[,] gInv = InvertSymmetric(g);
        var pinv = new float[nFreq * nMel];
        for (int k = 0; k < nFreq; k++)
            for (int j = 0; j < nMel; j++)
            {
                double s = 0;
                for (int i = 0; i < nMel; i++) s += bank[i * nFreq + k] * gInv[i, j];
                pinv[k * nMel + j] = (float)s;
            }
        return pinv;
    }

    /// <summary>Gauss–Jordan inversion with partial pivoting; a tiny ridge keeps empty bands from dividing by zero.</summary>
    private static double[,] InvertSymmetric(double[,] a)
    {
        int n = a.GetLength(0);
        var m = new double[n, 2 * n];
        double trace = 0;
        for (int i = 0; i < n; i++) trace += a[i, i];
        double ridge = 1e-10 * trace / n;
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++) m[i, j] = a[i, j];
            m[i, i] += ridge;
            m[i, n + i] = 1;
        }
        for (int c = 0; c < n; c++)
        {
            int p = c;
            for (int r = c + 1; r < n; r++) if (Math.Abs(m[r, c]) > Math.Abs(m[p, c])) p = r;
            if (p != c) for (int j = 0; j < 2 * n; j++) (m[c, j], m[p, j]) = (m[p, j], m[c, j]);
            double d = m[c, c];
            for (int j = 0; j < 2 * n; j++) m[c, j] /= d;
            for (int r = 0; r < n; r++)
            {
                if (r == c || m[r, c] == 0) continue;
                double f = m[r, c];
                for (int j = 0; j < 2 * n; j++) m[r, j] -= f * m[c, j];
            }
        }
        var inv = new double[n, n];
        for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) inv[i, j] = m[i, n + j];
        return inv;
    }
}
