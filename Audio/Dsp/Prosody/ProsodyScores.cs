namespace WaveFlow.Audio.Dsp.Prosody;

/// <summary>
/// What a listener hears first, measured against a recording. Null where a measure has nothing to
/// measure: <see cref="F0RmseCents"/> without a frame voiced in both signals, the HNRs without a
/// voiced frame in the recording. All frames are the pitch tracker's (one per mel hop).
/// </summary>
/// <param name="F0RmseCents">RMS of 1200·log2(F0_out / F0_ref) over frames voiced in both.</param>
/// <param name="VoicingError">Share of all frames where exactly one of the two is voiced.</param>
/// <param name="HnrDb">The output's harmonics-to-noise ratio, mean over the frames where the recording is voiced.</param>
/// <param name="ReferenceHnrDb">The recording's own HNR over the same frames.</param>
/// <param name="HnrGapDb">|ReferenceHnrDb − HnrDb|: 0 when the output is as periodic as the recording.</param>
/// <param name="TremoloIndex">Depth of the 3–12 Hz amplitude modulation the output adds (<see cref="Tremolo.Index"/>).</param>
/// <param name="VoicedFrames">Frames voiced in both (the F0 RMSE's support).</param>
internal sealed record ProsodyScores(
    double? F0RmseCents, double VoicingError, double? HnrDb, double? ReferenceHnrDb, double? HnrGapDb,
    double TremoloIndex, int VoicedFrames);
