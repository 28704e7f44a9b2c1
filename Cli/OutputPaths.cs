using System.CommandLine;
using WaveFlow.Core;
using WaveFlow.Core.IO;

namespace WaveFlow.Cli;

/// <summary>
/// The output contract of every command that writes files, checked after the inputs and before
/// any work: an output folder (-o) must be a folder (not an existing file) that can be created and
/// written; an output file that already exists is refused unless --overwrite is given (then it is
/// replaced atomically: an interrupted run leaves the old file whole). Every refusal is exit 2 with
/// one line naming the output path.
/// </summary>
internal static class OutputPaths
{
    public static Option<bool> OverwriteOption() =>
        new("--overwrite") { Description = "replace output files that already exist (default: refuse them before any work)" };

    /// <summary>Creates <paramref name="dir"/> if needed and proves it writable with a probe file.</summary>
    public static void PrepareFolder(string dir)
    {
        if (File.Exists(dir)) throw WaveFlowException.ForFile(dir, "is an existing file; the output must be a folder");
        string probe = Path.Combine(dir, $".waveflow-write-test.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            Directory.CreateDirectory(dir);
            using (new FileStream(probe, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose)) { }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw WaveFlowException.ForFile(dir, $"cannot write into this output folder: {AtomicFile.Reason(e, probe, dir)}", e);
        }
    }

    /// <summary>Refuses targets that exist (unless <paramref name="overwrite"/>) or are folders.</summary>
    public static void RefuseExisting(IEnumerable<string> targets, bool overwrite)
    {
        foreach (var target in targets)
        {
            if (Directory.Exists(target)) throw WaveFlowException.ForFile(target, "is a folder; cannot write the output file there");
            if (!overwrite && File.Exists(target))
                throw WaveFlowException.ForFile(target, "exists; pass --overwrite to replace it (nothing was written)");
        }
    }

    /// <summary>One output file: not an existing file (unless <paramref name="overwrite"/>), in a writable folder.</summary>
    public static void PrepareFile(string path, bool overwrite)
    {
        RefuseExisting([path], overwrite);
        PrepareFolder(Path.GetDirectoryName(Path.GetFullPath(path))!);
    }
}
