using System.Text.RegularExpressions;

namespace WaveFlow.Core.IO;

/// <summary>
/// Writes that never leave a half-written file behind: write a temporary file in the same folder,
/// flush it to disk, then rename it over the target. A write that fails (permission denied, disk
/// full, a read-only file system) removes its temporary file, leaves any previous target intact,
/// and is a <see cref="WaveFlowException"/> naming the target (never the hidden temporary file).
/// </summary>
internal static partial class AtomicFile
{
    /// <summary>
    /// Test seam, empty in production: folder or file → exception. A write into such a folder (or of such a file) throws the
    /// exception after its bytes are written and before they are flushed, as a failing disk would
    /// (tests simulate a full disk with it where no small file system can be mounted). Keyed by
    /// folder so that tests running in parallel do not see each other's faults.
    /// </summary>
    internal static readonly System.Collections.Concurrent.ConcurrentDictionary<string, Exception> InjectedFaults = new(StringComparer.Ordinal);

    /// <summary>
    /// WAVEFLOW_DEBUG_WRITE_DELAY_MS: a pause (ms) inside every write, between the temporary file's
    /// bytes and its rename, so that a crash test can kill a process in the middle of a checkpoint
    /// write deterministically. Unset (0) in normal use.
    /// </summary>
    private static readonly int DebugWriteDelayMs =
        int.TryParse(Environment.GetEnvironmentVariable("WAVEFLOW_DEBUG_WRITE_DELAY_MS"), out int ms) && ms > 0 ? ms : 0;

    public static void WriteAllBytes(string path, ReadOnlySpan<byte> bytes)
    {
        var data = bytes.ToArray();
        Write(path, s => s.Write(data));
    }

    public static void Write(string path, Action<Stream> write)
    {
        var full = Path.GetFullPath(path);
        var dir = Path.GetDirectoryName(full)!;
        var tmp = Path.Combine(dir, TemporaryName(Path.GetFileName(full)));
        try
        {
            Directory.CreateDirectory(dir);
            using (var stream = new FileStream(tmp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                write(stream);
                if (!InjectedFaults.IsEmpty && (InjectedFaults.TryGetValue(dir, out var fault) || InjectedFaults.TryGetValue(full, out fault))) throw fault;
                if (DebugWriteDelayMs > 0) Thread.Sleep(DebugWriteDelayMs);
                stream.Flush(flushToDisk: true);
            }
            File.Move(tmp, full, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw WaveFlowException.ForFile(path, $"not written: {Reason(e, tmp, full)}", e);
        }
        finally
        {
            try { if (File.Exists(tmp)) File.Delete(tmp); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { /* nothing more can be done; RemoveStale finds it later */ }
        }
    }

    /// <summary>Why a write failed, in words that name <paramref name="target"/>, not the temporary file.</summary>
    public static string Reason(Exception e, string temporary, string target)
    {
        // .NET on Unix puts errno in the low bits of IOException.HResult.
        int errno = e.HResult & 0xFFFF;
        return e switch
        {
            UnauthorizedAccessException => "permission denied (a read-only folder?)",
            IOException when errno == 28 => "no space left on the device",
            IOException when errno == 30 => "read-only file system",
            IOException when errno == 122 => "disk quota exceeded",
            _ => e.Message.Split('\n')[0].Replace(temporary, target, StringComparison.Ordinal),
        };
    }

    /// <summary>".NAME.PID.GUID.tmp": hidden, unique, and recognisable by <see cref="IsTemporary"/>.</summary>
    private static string TemporaryName(string fileName) => $".{fileName}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";

    /// <summary>True for a temporary file of <see cref="Write"/> (left behind only if the process was killed mid-write).</summary>
    public static bool IsTemporary(string fileName) => TemporaryPattern().IsMatch(fileName);

    /// <summary>
    /// Deletes the temporary files that writes by other processes (killed while writing: SIGKILL,
    /// power loss) left in <paramref name="folder"/>; those of this process are kept, as a write
    /// may be under way. Returns the names removed.
    /// </summary>
    public static IReadOnlyList<string> RemoveStale(string folder)
    {
        if (!Directory.Exists(folder)) return [];
        var removed = new List<string>();
        foreach (var file in Directory.EnumerateFiles(folder, ".*.tmp"))
        {
            var match = TemporaryPattern().Match(Path.GetFileName(file));
            if (!match.Success || match.Groups["pid"].Value == Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture)) continue;
            File.Delete(file);
            removed.Add(Path.GetFileName(file));
        }
        return removed;
    }

    [GeneratedRegex(@"^\..+\.(?<pid>[0-9]+)\.[0-9a-f]{32}\.tmp$")]
    private static partial Regex TemporaryPattern();
}
