using WaveFlow.Training.Data;
using WaveFlow.Training.Distributed;

namespace WaveFlow.Training.Loop;

/// <summary>
/// What <c>waveflow train</c> asks for. <paramref name="ConfigPath"/> is required for a new run;
/// with <paramref name="Resume"/> the run's own config.json is used and a given config may only
/// change train_config. <paramref name="Iterations"/> is the iteration to stop at (a total, not
/// a number of further steps), overriding train_config.max_iterations. <paramref name="Group"/>
/// is the job's process group (null: this process trains alone). <paramref name="BatchHook"/>, a
/// test seam given by whoever builds the request, changes each batch before its step (to inject
/// a NaN or a fault); null in real runs.
/// </summary>
internal sealed record TrainRequest(
    string? ConfigPath,
    string? DataPath,
    string? OutPath,
    TorchSharp.torch.Device Device,
    bool Resume = false,
    long? Iterations = null,
    IProcessGroup? Group = null,
    Func<TrainingBatch, TrainingBatch>? BatchHook = null);
