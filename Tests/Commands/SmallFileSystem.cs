using System.Diagnostics;
using WaveFlow.Tests.Support;

namespace WaveFlow.Tests.Commands;

/// <summary>
/// A real tmpfs mounted for a test (root with mount rights: full-disk and read-only-folder
/// conditions exactly as users meet them); null where mounting is not allowed, and the test then
/// falls back to a simulated failure.
/// </summary>
internal sealed class SmallFileSystem : IDisposable
{
    private readonly TempDir _mountPoint;

    public string Path => _mountPoint.Path;

    private SmallFileSystem(TempDir mountPoint) => _mountPoint = mountPoint;

    public static SmallFileSystem? TryMount(string options)
    {
        if (!OperatingSystem.IsLinux()) return null;
        var mountPoint = new TempDir();
        if (Run("mount", "-t", "tmpfs", "-o", options, "tmpfs", mountPoint.Path) == 0) return new SmallFileSystem(mountPoint);
        mountPoint.Dispose();
        return null;
    }

    public void Dispose()
    {
        Run("umount", Path);
        _mountPoint.Dispose();
    }

    private static int Run(string file, params string[] args)
    {
        try
        {
            var psi = new ProcessStartInfo(file) { RedirectStandardError = true, RedirectStandardOutput = true };
            foreach (var a in args) psi.ArgumentList.Add(a);
            using var p = Process.Start(psi)!;
            p.WaitForExit(10_000);
            return p.HasExited ? p.ExitCode : -1;
        }
        catch (System.ComponentModel.Win32Exception) { return -1; }
    }
}
