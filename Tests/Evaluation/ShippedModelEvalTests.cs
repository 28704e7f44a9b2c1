using WaveFlow.Evaluation.Gate;
using WaveFlow.Tests.Support;

namespace WaveFlow.Tests.Evaluation;

/// <summary>
/// The regression gate on the product itself: the shipped sample model resynthesises the shipped
/// recordings with fixed noise, and its spectrogram errors must not grow beyond 5 % of the baseline
/// recorded when the model was shipped (Tests/Fixtures/shipped/eval-baseline.json, made by
/// `waveflow eval --checkpoint samples/model/waveflow-small.safetensors --data samples/wavs --out ...`).
/// A change to the mel front end, the flow, the checkpoint loader or synthesis that alters the audio fails here.
/// </summary>
public class ShippedModelEvalTests
{
    [Fact]
    public void ShippedModelStaysWithinItsBaseline()
    {
        string model = Path.Combine(AppContext.BaseDirectory, "samples", "model", "waveflow-small.safetensors");
        string wavs = Path.Combine(AppContext.BaseDirectory, "samples", "wavs");
        string baseline = Fixture.Path_("shipped", "eval-baseline.json");
        using var tmp = new TempDir();
        var dir = tmp.Path;
        string output = Path.Combine(dir, "eval.json");
        int code = CliRunner.Run("eval", "--checkpoint", model, "--data", wavs, "--baseline", baseline,
            "--tolerance", "0.05", "--out", output, "--device", "cpu");
        Assert.Equal(0, code);
        var report = EvalReport.Read(output);
        Assert.Equal(3, report.Clips.Count);
    }
}
