namespace WaveFlow.Tests.Support;

/// <summary>A scratch folder deleted when the test ends.</summary>
public sealed class TempDir : IDisposable
{
    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "waveflow-tests-" + Guid.NewGuid().ToString("N"));

    public TempDir() => Directory.CreateDirectory(Path);

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
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { }
    }
}
