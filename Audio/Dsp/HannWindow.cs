namespace WaveFlow.Audio.Dsp;

/// <summary>The analysis window of Tacotron2's STFT, shared by both front ends and the inverse STFT.</summary>
internal static class HannWindow
{
    /// <summary>
    /// scipy's get_window("hann", win, fftbins=True): the periodic Hann, 0.5 − 0.5·cos(2πi/win)
    /// for i in [0, win) (the symmetric Hann of win+1 points without its last point; NWaves has
    /// only the symmetric one), centred in <paramref name="length"/> zeros like librosa's pad_center.
    /// </summary>
    public static double[] Periodic(int length, int win)
    {
        if (win < 1 || win > length) throw new ArgumentOutOfRangeException(nameof(win), $"win_length {win} must be in [1, filter_length {length}]");
        var padded = new double[length];
        int left = (length - win) / 2;
        for (int i = 0; i < win; i++) padded[left + i] = 0.5 - 0.5 * Math.Cos(2 * Math.PI * i / win);
        return padded;
    }
}
