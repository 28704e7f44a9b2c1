using TorchSharp;
using WaveFlow.Audio.Wav;
using WaveFlow.Cli;
using WaveFlow.Cli.Commands;
using WaveFlow.Core;
using WaveFlow.Core.Serialization;
using WaveFlow.Tests.Support;
using WaveFlow.Vocoder;

namespace WaveFlow.Tests.Commands;

/// <summary>
/// encode and synthesize, through the library and the CLI, against NVIDIA's micro reference
/// (loss from manifest.json: models.micro.forward.loss_sigma1), and a leak check.
/// </summary>
public class EncodeAndSynthesizeCommandTests
{
    private const double MicroLossSigma1 = -0.05161092057824135;

    private static int Run(params string[] args) => CliRunner.Run(args);

    [Fact]
    public void EncoderGivesReferenceZAndExactLikelihood()
    {
        using var model = ModelFixture.Load("micro");
        var audio = ModelFixture.Npy("micro", "forward.audio.npy").Data;
        var result = AudioEncoder.Encode(model, audio, ModelFixture.Npy("micro", "forward.mel.npy"));
        double err = Fixture.RelativeL2(result.Z.Data, ModelFixture.Npy("micro", "forward.z.npy").Data);
        Assert.True(err < 1e-4, $"z relative L2 error {err:G3}");
        Assert.True(Math.Abs(result.Loss - MicroLossSigma1) < 1e-5, $"loss {result.Loss:G9}");
        // −log N(z; 0, 1) per sample adds ½·log 2π to the loss; bits are nats / ln 2.
        Assert.Equal(result.Loss + 0.5 * Math.Log(2 * Math.PI), result.NatsPerSample, 12);
        Assert.Equal(result.NatsPerSample / Math.Log(2), result.BitsPerSample, 12);
        Assert.Equal(16000, result.Samples);
    }

    [Fact]
    public void CommandsReproduceReferenceAndLeaveNoLiveTensors()
    {
        using var tmp = new TempDir();
        var dir = tmp.Path;
        string ck = ModelFixture.WeightsPath("micro"), config = Fixture.Path_("micro", "config.json");
        string[] synth = ["synthesize", "--device", "cpu", "-c", ck, "--config", config, Fixture.Path_("micro", "infer.mel.npy"),
            "-o", dir, "--noise", Fixture.Path_("micro", "infer.eps.npy"), "--format", "wav32f", "--denoise", "0.1"];
        string zPath = Path.Combine(dir, "z.npy");
        string[] encode = ["encode", "--device", "cpu", "-c", ck, "--config", config, "--audio", Fixture.Path_("micro", "forward.audio.npy"),
            "--mel", Fixture.Path_("micro", "forward.mel.npy"), "-o", zPath];

        // Warm-up: libtorch and the commands' one-time allocations.
        Assert.Equal(0, Run(synth));
        Assert.Equal(0, Run(encode));
        var stats = DisposeScopeManager.Statistics;
        long before = stats.ThreadTotalLiveCount;
        var output = new StringWriter();
        var stdout = Console.Out;
        Console.SetOut(output);
        try
        {
            // again, without the denoiser, replacing the outputs (refused without --overwrite)
            Assert.Equal(0, Run(["synthesize", .. synth[1..^2], "--overwrite"]));
            Assert.Equal(0, Run([.. encode, "--overwrite"]));
        }
        finally { Console.SetOut(stdout); }
        long after = stats.ThreadTotalLiveCount;
        Assert.True(before == after, $"live tensors {before} before, {after} after synthesize + encode");

        var wav = WavFile.Read(Path.Combine(dir, "infer.wav"));
        double err = Fixture.RelativeL2(wav.Samples, ModelFixture.Npy("micro", "infer.sigma0.6.audio.npy").Data);
        Assert.True(err < 1e-4, $"synthesize --noise: relative L2 error {err:G3}");
        Assert.Contains("real-time factor", output.ToString());

        double zErr = Fixture.RelativeL2(NpyFile.Read(zPath).Data, ModelFixture.Npy("micro", "forward.z.npy").Data);
        Assert.True(zErr < 1e-4, $"encode: z relative L2 error {zErr:G3}");
        string text = output.ToString();
        Assert.Contains("nats/sample", text);
        Assert.Contains("bits/sample", text);
        var lossLine = text.Split('\n').Single(l => l.StartsWith("WaveGlow loss"));
        double printed = double.Parse(lossLine.Split(' ', StringSplitOptions.RemoveEmptyEntries)[2], System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(Math.Abs(printed - MicroLossSigma1) < 1e-5, lossLine);

        // A bad mel fails with exit code 2 and writes nothing.
        string badMel = Path.Combine(dir, "bad.npy");
        NpyFile.Write(badMel, new float[5 * 7], [5, 7]);
        string badOut = Path.Combine(dir, "bad");
        Assert.Equal(2, Run(["synthesize", "--device", "cpu", "-c", ck, "--config", config, badMel, "-o", badOut]));
        Assert.False(Directory.Exists(badOut));
    }
}
