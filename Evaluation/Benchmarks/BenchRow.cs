using WaveFlow.Vocoder;

namespace WaveFlow.Evaluation.Benchmarks;

/// <summary>Arithmetic precision of a benchmark case.</summary>
/// <summary>
/// One measured case. Throughput is output samples (synthesis) or training samples per second;
/// <see cref="RealTime"/> is seconds of audio per second of compute (synthesis only).
/// Host memory is the process's peak resident set during the case; device memory is the
/// driver's bytes in use after it (CUDA only, see <see cref="DeviceMemory"/>). MedianCpuMs is the
/// process CPU time of the median repeat (see <see cref="Timing"/>).
/// </summary>
internal sealed record BenchRow(
    string Case,
    string Device,
    string Precision,
    double AudioSeconds,
    int Batch,
    double MedianMs,
    double MinMs,
    double ThroughputKHz,
    double? RealTime,
    long PeakHostBytes,
    long HostStartBytes,
    long? DeviceBytes,
    IReadOnlyList<double> TimesMs,
    string? Note = null,
    double MedianCpuMs = 0);
