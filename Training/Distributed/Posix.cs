using System.Runtime.InteropServices;

namespace WaveFlow.Training.Distributed;

/// <summary>Immediate process exit (no finalizers, no waiting threads): for a job that must end now.</summary>
internal static class Posix
{
    [DllImport("libc", EntryPoint = "_exit")]
    private static extern void Exit(int status);

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    public static void ExitNow(int code)
    {
        Exit(code);
        Environment.FailFast($"_exit({code}) returned");
    }
}
