using System.Runtime.InteropServices;
using TorchSharp;
using WaveFlow.Core.Runtime;
using WaveFlow.Tests.Support;
using static TorchSharp.torch;

namespace WaveFlow.Tests.Core;

/// <summary>The no-GC region and the collection count are process-wide: any test thread allocating
/// during it spends the region's budget, so this runs alone (it failed once in a parallel CI run).</summary>
[Collection(ProcessWideMeasurement.Name)]
public class ScalarGuardTests
{
    [Fact]
    public void NoCollectionHappensInsideAndTheLatencyModeIsRestored()
    {
        var before = System.Runtime.GCSettings.LatencyMode;
        int collections;
        var keep = new List<byte[]>();
        using (ScalarGuard.Enter())
        {
            collections = GC.CollectionCount(0);
            // 8 MB in small objects: many gen-0 budgets' worth, well within the guard's budget.
            for (int i = 0; i < 8 * 1024; i++) keep.Add(new byte[1024]);
            Assert.Equal(collections, GC.CollectionCount(0));
        }
        Assert.Equal(before, System.Runtime.GCSettings.LatencyMode);
        Assert.Equal(8 * 1024, keep.Count);
    }
}
