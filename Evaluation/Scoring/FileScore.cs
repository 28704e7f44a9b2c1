using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using WaveFlow.Audio;
using WaveFlow.Audio.Dsp;
using WaveFlow.Audio.Dsp.Prosody;
using WaveFlow.Audio.Wav;
using WaveFlow.Core;
using WaveFlow.Evaluation.Comparison;

namespace WaveFlow.Evaluation.Scoring;

/// <summary>Every metric of one output file against its recording (JSON names in snake_case, as
/// ParallelWaveGAN's and other toolkits' users expect); F0 RMSE and HNRs are null ("n/a") when they
/// have no frames to be measured on.</summary>
internal sealed record FileScore(
    [property: JsonPropertyName("output")] string Output,
    [property: JsonPropertyName("reference")] string Reference,
    [property: JsonPropertyName("sample_rate")] int SampleRate,
    [property: JsonPropertyName("seconds")] double Seconds,
    [property: JsonPropertyName("log_mel_l1")] double LogMelL1,
    [property: JsonPropertyName("mcd_db")] double McdDb,
    [property: JsonPropertyName("spectral_convergence")] double SpectralConvergence,
    [property: JsonPropertyName("lsd_db")] double LsdDb,
    [property: JsonPropertyName("f0_rmse_cents")] double? F0RmseCents,
    [property: JsonPropertyName("voicing_error")] double VoicingError,
    [property: JsonPropertyName("hnr_db")] double? HnrDb,
    [property: JsonPropertyName("reference_hnr_db")] double? ReferenceHnrDb,
    [property: JsonPropertyName("hnr_gap_db")] double? HnrGapDb,
    [property: JsonPropertyName("tremolo_index")] double TremoloIndex,
    [property: JsonPropertyName("voiced_frames")] int VoicedFrames);
