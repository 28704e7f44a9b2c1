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

/// <summary>Everything <c>waveflow bench --json</c> writes: where it ran, what, and the rows.</summary>
internal sealed record BenchReport(
    string Machine,
    string Cpu,
    int ProcessorCount,
    int Threads,
    int InteropThreads,
    string LoadAverageBefore,
    string LoadAverageAfter,
    string TorchSharp,
    string Model,
    long Parameters,
    string Started,
    IReadOnlyList<BenchRow> Rows);
