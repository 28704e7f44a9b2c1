using System.Text.Json.Serialization;
using WaveFlow.Core;

namespace WaveFlow.Training.Config;

/// <summary>
/// NVIDIA's <c>dist_config</c> section. Rendezvous comes from the MPI launcher (mpirun, srun), so
/// <c>dist_url</c> is accepted for compatibility and not used; <c>dist_backend</c> picks the
/// engine when the job was started by a launcher and <c>--distributed</c> is not given
/// (nccl on CUDA devices, mpi otherwise; gloo maps to mpi).
/// </summary>
internal sealed record DistOptions
{
    public static readonly string[] Backends = ["nccl", "mpi", "gloo"];

    [JsonPropertyName("dist_backend")] public string DistBackend { get; init; } = "nccl";
    [JsonPropertyName("dist_url")] public string DistUrl { get; init; } = "tcp://localhost:54321";
    /// <summary>A collective that makes no progress for this long ends the job (a rank has died or
    /// hangs). Rank 0 writes checkpoints between collectives, so this must exceed a checkpoint write.</summary>
    [JsonPropertyName("watchdog_seconds")] public double WatchdogSeconds { get; init; } = 600;

    public void Validate(string source)
    {
        if (!Backends.Contains(DistBackend))
            throw new WaveFlowException($"{source}: dist_config.dist_backend must be one of {string.Join(", ", Backends)}, got \"{DistBackend}\"");
        if (!(WatchdogSeconds > 0) || !double.IsFinite(WatchdogSeconds))
            throw new WaveFlowException($"{source}: dist_config.watchdog_seconds must be positive, got {WatchdogSeconds}");
    }
}
