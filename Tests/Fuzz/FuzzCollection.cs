using System.Diagnostics;
using WaveFlow.Core;
using WaveFlow.Fuzz;
using WaveFlow.Tests.Support;
using Xunit.Abstractions;

namespace WaveFlow.Tests.Fuzz;

/// <summary>
/// The fuzz tests run alone, after the parallel tests: tens of thousands of small allocations and
/// thousands of tiny models make garbage collections frequent, and libtorch tests elsewhere that
/// leave temporaries to finalizers were seen to fail under that pressure (1 run in 4).
/// </summary>
[CollectionDefinition(nameof(FuzzCollection), DisableParallelization = true)]
public sealed class FuzzCollection;
