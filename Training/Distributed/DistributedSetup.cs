using TorchSharp;
using WaveFlow.Core;
using WaveFlow.Core.Runtime;
using WaveFlow.Training.Config;
using static TorchSharp.torch;

namespace WaveFlow.Training.Distributed;

/// <summary>The process group of a training job and the device this rank trains on.</summary>
internal sealed record DistributedSetup(IProcessGroup Group, Device Device);
