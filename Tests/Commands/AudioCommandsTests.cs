using WaveFlow.Audio.Wav;
using WaveFlow.Cli;
using WaveFlow.Cli.Commands;
using WaveFlow.Core;
using WaveFlow.Core.Serialization;
using WaveFlow.Tests.Support;

namespace WaveFlow.Tests.Commands;

public sealed class AudioCommandsTests : IDisposable
{
    private readonly TempDir _tmp = new();
    private string dir => _tmp.Path;
    public void Dispose() => _tmp.Dispose();

    private static int Run(params string[] args) => CliRunner.Invoke(args);

    [Fact]
    public void MelCommandWritesReferenceMelsAndImages()
    {
        string wav = Fixture.Path_("mel", "WF002-0002.wav");
        Assert.Equal(0, Run("mel", wav, "-o", dir, "--png"));
        var mel = NpyFile.Read(Path.Combine(dir, "WF002-0002.mel.npy"));
        var reference = NpyFile.Read(Fixture.Path_("mel", "WF002-0002.mel.npy"));
        Assert.Equal(reference.Shape, mel.Shape);
        Assert.True(Fixture.RelativeL2(mel.Data, reference.Data) < 1e-5);
        Assert.True(new FileInfo(Path.Combine(dir, "WF002-0002.mel.png")).Length > 100);
    }

    [Fact]
    public void GriffinLimCommandWritesWavOfTheMelsLength()
    {
        string mel = Fixture.Path_("mel", "WF001-0001.mel.npy");
        Assert.Equal(0, Run("griffinlim", mel, "-o", dir, "--iterations", "2", "--seed", "3", "--device", "cpu"));
        var clip = WavFile.Read(Path.Combine(dir, "WF001-0001.wav"));
        Assert.Equal(22050, clip.SampleRate);
        Assert.Equal(256 * (NpyFile.Read(mel).Shape[1] - 1), clip.Samples.Length);
        Assert.Contains(clip.Samples, s => s != 0);
    }

    [Fact]
    public void BadInputsFailBeforeAnythingIsWritten()
    {
        string good = Fixture.Path_("mel", "WF001-0001.mel.npy");
        var wrongChannels = Path.Combine(dir, "narrow.npy");
        NpyFile.Write(wrongChannels, new float[16 * 10], [16, 10]);
        var e = Assert.Throws<WaveFlowException>(() => Run("griffinlim", good, wrongChannels, "-o", Path.Combine(dir, "out")));
        Assert.StartsWith(wrongChannels + ":", e.Message);
        Assert.False(Directory.Exists(Path.Combine(dir, "out")));

        e = Assert.Throws<WaveFlowException>(() => Run("mel", Fixture.Path_("mel", "WF001-0001.wav"), Path.Combine(dir, "missing.wav"), "-o", dir));
        Assert.Contains("missing.wav: file not found", e.Message);
        Assert.Empty(Directory.GetFiles(dir, "*.mel.npy"));
    }
}
