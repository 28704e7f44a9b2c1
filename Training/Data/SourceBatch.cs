namespace WaveFlow.Training.Data;

/// <summary>
/// A batch's harmonic-source targets, row-major on the host: per mel frame of each segment the
/// tracked F0 (Hz, filled in where unvoiced) and voicing (B, F); the analysed log amplitudes and
/// their mask (voiced frames, harmonics below the ceiling) (B, K, F); and the carriers, the
/// audio's own harmonic phases gated by voicing (B, K, L).
/// </summary>
internal sealed record SourceBatch(float[] F0, float[] Voiced, int Frames, float[] LogAmplitude, float[] AmplitudeMask,
    float[] Carriers, int Harmonics, int SegmentLength);
