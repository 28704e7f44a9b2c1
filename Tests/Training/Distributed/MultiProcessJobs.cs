using System.Diagnostics;
using System.Text.Json.Nodes;
using WaveFlow.Core;
using WaveFlow.Tests.Support;
using WaveFlow.Training.Run;
using static WaveFlow.Tests.Training.Distributed.DistributedRuns;

namespace WaveFlow.Tests.Training.Distributed;

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MultiProcessJobs
{
    /// <summary>Jobs of several processes run alone: on two cores, oversubscribed ranks next to
    /// other tests would only measure the scheduler.</summary>
    public const string Name = "multi-process jobs";
}
