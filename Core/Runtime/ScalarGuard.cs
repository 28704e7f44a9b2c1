using System.Runtime;

namespace WaveFlow.Core.Runtime;

/// <summary>
/// Keeps the garbage collector out of a stretch of libtorch calls. TorchSharp 0.107 turns every
/// number it passes to libtorch into a <c>Scalar</c> with a finalizer, including the hidden
/// alpha = 1 of every tensor addition and the exponent of square(); it passes the native handle on
/// and drops the object, so a garbage collection during the native call may finalize (free) the
/// Scalar while libtorch still reads it. Training runs of the tiny config died of it after 100–400
/// iterations ("INTERNAL ASSERT FAILED at c10/core/Scalar.h" or "Expected false to be true ...
/// toFloat at Scalar.h", from pow and add). The managed heap of a step is small (tensors live in
/// native memory), so a no-GC region of <see cref="Budget"/> bytes covers it: the collection that
/// would have happened mid-step happens before it, when no libtorch call is in flight. If the
/// budget runs out (other threads allocating a lot) the runtime ends the region with a normal
/// collection; nothing breaks, only the protection lapses for that step.
/// </summary>
internal sealed class ScalarGuard : IDisposable
{
    /// <summary>Managed bytes a guarded stretch may allocate (all threads) before a collection.</summary>
    public const long Budget = 64L * 1024 * 1024;

    private readonly bool started;

    private ScalarGuard(bool started) => this.started = started;

    /// <summary>Starts a no-GC region (after a collection if needed) unless one is active.</summary>
    public static ScalarGuard Enter()
    {
        if (GCSettings.LatencyMode == GCLatencyMode.NoGCRegion) return new ScalarGuard(false);
        try
        {
            return new ScalarGuard(GC.TryStartNoGCRegion(Budget));
        }
        catch (ArgumentOutOfRangeException) { return new ScalarGuard(false); }   // budget too large for this GC
        catch (InvalidOperationException) { return new ScalarGuard(false); }     // another thread's region
    }

    public void Dispose()
    {
        if (!started || GCSettings.LatencyMode != GCLatencyMode.NoGCRegion) return;
        try { GC.EndNoGCRegion(); }
        catch (InvalidOperationException) { }     // the region already ended with a collection
    }
}
