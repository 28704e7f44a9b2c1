using WaveFlow.Evaluation.Benchmarks;

namespace WaveFlow.Tests.Support;

/// <summary>
/// Tests that measure the whole process (resident memory and the kernel's high-water mark, which
/// any thread's allocations move and any <c>HostMemory.Begin</c> resets) run in this collection:
/// xunit runs it alone, after the parallel tests.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessWideMeasurement
{
    public const string Name = "process-wide measurement";
}
