using System.Runtime.CompilerServices;
using WaveFlow.Core.Runtime;

namespace WaveFlow.Tests.Support;

internal static class TorchRuntimeInit
{
    /// <summary>
    /// Loads libtorch (and applies <see cref="MklVendorDispatch"/>) before any test runs, as the
    /// CLI does before any work: oneMKL's kernel choice must not change between two computations
    /// that a test compares bit for bit.
    /// </summary>
#pragma warning disable CA2255 // a test assembly, not a library: this is the intended use
    [ModuleInitializer]
    internal static void LoadFirst() => TorchRuntime.EnsureLoaded();
}
