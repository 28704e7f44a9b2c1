using System.Runtime.InteropServices;

namespace WaveFlow.Core.Runtime;

/// <summary>
/// libtorch's CPU kernels run on OpenMP (GNU libgomp on Linux), whose idle threads by default
/// spin for a while before sleeping. On a machine whose cores are busy with other work, the
/// spinning threads steal the very cores the working threads need; with OMP_WAIT_POLICY=PASSIVE
/// they sleep at once, for the same results (docs/bench/history.md has the measurement).
/// libgomp reads the variable once, when libtorch loads it, so this must run before the first
/// torch call; it changes nothing when the user has set the variable.
/// </summary>
internal static class OpenMpWaitPolicy
{
    public const string Variable = "OMP_WAIT_POLICY";

    /// <summary>Sets OMP_WAIT_POLICY=PASSIVE in the native environment unless it is already set
    /// (Linux and macOS; on Windows libtorch's OpenMP runtime is left alone). True when set here.</summary>
    public static bool PreferPassive()
    {
        if (OperatingSystem.IsWindows() || Environment.GetEnvironmentVariable(Variable) is not null) return false;
        // .NET keeps its own copy of the environment on Unix: only libc's setenv reaches libgomp.
        return SetEnv(Variable, "PASSIVE", 0) == 0;
    }

    // DllImport rather than LibraryImport: the latter's generated marshalling needs unsafe code.
#pragma warning disable SYSLIB1054, CA2101
    [DllImport("libc", EntryPoint = "setenv", CharSet = CharSet.Ansi, BestFitMapping = false, ThrowOnUnmappableChar = true)]
    private static extern int SetEnv(string name, string value, int overwrite);
#pragma warning restore SYSLIB1054, CA2101
}
