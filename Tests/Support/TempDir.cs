namespace WaveFlow.Tests.Support;

/// <summary>
/// The tests' one scratch folder: a fresh folder under the system temp folder, deleted with
/// everything in it when disposed (<c>using var tmp = new TempDir();</c>), also when the test
/// fails. Files a test made read-only are deleted too.
/// </summary>
public sealed class TempDir : IDisposable
{
    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "waveflow-tests-" + Guid.NewGuid().ToString("N"));

    public TempDir() => Directory.CreateDirectory(Path);

    /// <summary>A path inside the folder.</summary>
    public string this[string relative] => System.IO.Path.Combine(Path, relative);

    /// <summary>Copies the six-clip fixture corpus here (so a test may damage its copy).</summary>
    public string CopyCorpus()
    {
        var target = this["corpus"];
        Directory.CreateDirectory(System.IO.Path.Combine(target, "wavs"));
        var source = Fixture.Path_("corpus-mini");
        File.Copy(System.IO.Path.Combine(source, "metadata.csv"), System.IO.Path.Combine(target, "metadata.csv"));
        foreach (var wav in Directory.GetFiles(System.IO.Path.Combine(source, "wavs")))
            File.Copy(wav, System.IO.Path.Combine(target, "wavs", System.IO.Path.GetFileName(wav)));
        return target;
    }

    public void Dispose()
    {
        if (!Directory.Exists(Path)) return;
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A read-only file or folder (a test of write failures): make everything writable, try once more.
            try
            {
                foreach (var entry in new DirectoryInfo(Path).EnumerateFileSystemInfos("*", SearchOption.AllDirectories))
                    if (entry.Attributes.HasFlag(FileAttributes.ReadOnly)) entry.Attributes &= ~FileAttributes.ReadOnly;
                if (!OperatingSystem.IsWindows())
                    foreach (var folder in Directory.EnumerateDirectories(Path, "*", SearchOption.AllDirectories).Prepend(Path))
                        File.SetUnixFileMode(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
                Directory.Delete(Path, recursive: true);
            }
            catch (Exception again) when (again is IOException or UnauthorizedAccessException) { }
        }
    }
}
