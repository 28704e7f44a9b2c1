namespace WaveFlow.Training.Data;

/// <summary>
/// One clip's harmonic analysis (see <see cref="HarmonicTargets.Analyse"/>), per frame j on
/// sample j·hop: F0 in Hz with unvoiced frames filled in (<see cref="F0"/>), the tracker's voicing
/// (0/1), the fundamental phase integrated up to the frame (<see cref="Phase"/>), and for each
/// harmonic k the complex amplitude c_k as a unit phasor (<see cref="PhasorRe"/>,
/// <see cref="PhasorIm"/>) and a log magnitude, row-major (frames, harmonics).
/// </summary>
internal sealed record ClipHarmonics(int Length, float[] F0, float[] Voiced, double[] Phase,
    float[] PhasorRe, float[] PhasorIm, float[] LogMagnitude)
{
    public int Frames => F0.Length;
}
