using WaveFlow.Audio.Wav;
using WaveFlow.Core.IO;
using WaveFlow.Core.Serialization;
using WaveFlow.Tests.Support;
using Xunit.Abstractions;

namespace WaveFlow.Tests.Commands;

/// <summary>
/// The command line's output contract, end to end: every input is checked before any output is
/// written; an unusable output (an existing file given as the folder, a read-only folder, a full
/// disk) is exit 2 with one line naming the output path; existing outputs are replaced only with
/// --overwrite.
/// </summary>
public class OutputContractTests(ITestOutputHelper log)
{
    private static string Wav(string name) => Fixture.Path_("mel", name);

    private static void WriteStereo(string path)
    {
        var mono = WavFile.Read(Wav("WF001-0001.wav")).Samples[..4000];
        var data = new byte[mono.Length * 4];
        for (int i = 0; i < mono.Length; i++)
        {
            short v = (short)Math.Round(mono[i] * 32767);
            BitConverter.TryWriteBytes(data.AsSpan(4 * i), v);
            BitConverter.TryWriteBytes(data.AsSpan(4 * i + 2), (short)-v);
        }
        File.WriteAllBytes(path, WavBytes.Build(1, 2, 22050, 16, data));
    }

    [Fact]
    public void MelChecksEveryInputBeforeWritingAny()
    {
        using var tmp = new TempDir();
        WriteStereo(tmp["stereo.wav"]);
        var (code, error) = CliRunner.RunWithError("mel", Wav("WF001-0001.wav"), tmp["stereo.wav"], "-o", tmp["out"]);
        Assert.Equal(2, code);
        Assert.StartsWith(tmp["stereo.wav"], error);
        Assert.False(File.Exists(tmp["out/WF001-0001.mel.npy"]), "the good file's mel was written before the bad file was refused");
    }

    [Fact]
    public void GriffinLimAndSynthesizeCheckEveryInputBeforeWritingAny()
    {
        using var tmp = new TempDir();
        File.WriteAllText(tmp["broken.npy"], "not a mel");
        var (code, error) = CliRunner.RunWithError("griffinlim", "--device", "cpu", Fixture.Path_("mel", "WF001-0001.mel.npy"), tmp["broken.npy"], "-o", tmp["gl"], "--iterations", "1");
        Assert.Equal(2, code);
        Assert.StartsWith(tmp["broken.npy"], error);
        Assert.False(Directory.Exists(tmp["gl"]) && Directory.EnumerateFileSystemEntries(tmp["gl"]).Any());

        (code, error) = CliRunner.RunWithError("synthesize", "--device", "cpu", "-c", ModelFixture.WeightsPath("micro"), "--config", Fixture.Path_("micro", "config.json"),
            Fixture.Path_("micro", "infer.mel.npy"), tmp["broken.npy"], "-o", tmp["syn"]);
        Assert.Equal(2, code);
        Assert.StartsWith(tmp["broken.npy"], error);
        Assert.False(Directory.Exists(tmp["syn"]) && Directory.EnumerateFileSystemEntries(tmp["syn"]).Any());
    }

    [Fact]
    public void AnExistingFileAsTheOutputFolderIsExit2NamingIt()
    {
        using var tmp = new TempDir();
        File.WriteAllText(tmp["taken"], "keep me");
        var (code, error) = CliRunner.RunWithError("synthesize", "--device", "cpu", "-c", ModelFixture.WeightsPath("micro"), "--config", Fixture.Path_("micro", "config.json"),
            Fixture.Path_("micro", "infer.mel.npy"), "-o", tmp["taken"]);
        Assert.Equal(2, code);
        Assert.StartsWith(tmp["taken"] + ": ", error);
        Assert.Equal("keep me", File.ReadAllText(tmp["taken"]));
        (code, error) = CliRunner.RunWithError("mel", Wav("WF001-0001.wav"), "-o", tmp["taken"]);
        Assert.Equal(2, code);
        Assert.StartsWith(tmp["taken"] + ": ", error);
    }

    [Fact]
    public void ExistingOutputsAreReplacedOnlyWithOverwrite()
    {
        using var tmp = new TempDir();
        Assert.Equal(0, CliRunner.Run("mel", Wav("WF001-0001.wav"), "-o", tmp["out"]));
        string mel = tmp["out/WF001-0001.mel.npy"];
        File.WriteAllBytes(mel, [1, 2, 3]);                       // a marker: was it replaced?
        var (code, error) = CliRunner.RunWithError("mel", Wav("WF001-0001.wav"), "-o", tmp["out"]);
        Assert.Equal(2, code);
        Assert.StartsWith(mel + ": exists", error);
        Assert.Equal([1, 2, 3], File.ReadAllBytes(mel));
        Assert.Equal(0, CliRunner.Run("mel", Wav("WF001-0001.wav"), "-o", tmp["out"], "--overwrite"));
        Assert.Equal(80L, NpyFile.Read(mel).Shape[0]);                 // a real mel again

        // A single output file (compare-results -o) follows the same rule.
        File.WriteAllText(tmp["summary.json"], "old");
        string results = Path.Combine(AppContext.BaseDirectory, "fuzz", "seeds", "listening", "results.json");
        Assert.Equal(2, CliRunner.Run("compare-results", results, "-o", tmp["summary.json"]));
        Assert.Equal("old", File.ReadAllText(tmp["summary.json"]));
        Assert.Equal(0, CliRunner.Run("compare-results", results, "-o", tmp["summary.json"], "--overwrite"));
        Assert.Contains("pairs", File.ReadAllText(tmp["summary.json"]));
    }

    [Fact]
    public void AReadOnlyOutputFolderIsExit2NamingTheOutputNotATemporaryFile()
    {
        using var tmp = new TempDir();
        using var readOnly = SmallFileSystem.TryMount("ro,size=64k");
        string outDir;
        if (readOnly is not null) outDir = readOnly.Path;                        // root: a read-only mount
        else if (!OperatingSystem.IsWindows() && Environment.UserName != "root")
        {
            outDir = Directory.CreateDirectory(tmp["ro"]).FullName;               // others: permissions
            File.SetUnixFileMode(outDir, UnixFileMode.UserRead | UnixFileMode.UserExecute);
        }
        else { log.WriteLine("no read-only folder can be made here (root without mount rights): simulated"); outDir = Simulated(tmp, new UnauthorizedAccessException("Access to the path is denied.")); }
        try
        {
            var (code, error) = CliRunner.RunWithError("mel", Wav("WF001-0001.wav"), "-o", outDir);
            Assert.Equal(2, code);
            Assert.StartsWith(outDir, error);
            Assert.DoesNotContain(".tmp", error);
            log.WriteLine(error);
        }
        finally { AtomicFile.InjectedFaults.TryRemove(tmp["simulated"], out _); }
    }

    [Fact]
    public void AFullDiskIsExit2NamingTheOutputAndLeavesNoTemporaryFile()
    {
        using var tmp = new TempDir();
        using var small = SmallFileSystem.TryMount("size=32k");               // the mel .npy is 98 KB
        string outDir = small?.Path ?? Simulated(tmp, new IOException("No space left on device", 28));
        if (small is null) log.WriteLine("no small file system can be mounted here: a full disk is simulated");
        try
        {
            var (code, error) = CliRunner.RunWithError("mel", Wav("WF001-0001.wav"), "-o", outDir);
            Assert.Equal(2, code);
            Assert.StartsWith(Path.Combine(outDir, "WF001-0001.mel.npy") + ": not written: no space left on the device", error);
            Assert.Empty(Directory.GetFiles(outDir));                            // no half file, no temporary file
            log.WriteLine(error);
        }
        finally { AtomicFile.InjectedFaults.TryRemove(tmp["simulated"], out _); }
    }

    /// <summary>A folder whose writes fail with <paramref name="fault"/> (for this folder only: tests run in parallel).</summary>
    private static string Simulated(TempDir tmp, Exception fault)
    {
        string dir = Directory.CreateDirectory(tmp["simulated"]).FullName;
        AtomicFile.InjectedFaults[dir] = fault;
        return dir;
    }
}
