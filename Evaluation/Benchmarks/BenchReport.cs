using WaveFlow.Vocoder;

namespace WaveFlow.Evaluation.Benchmarks;

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
