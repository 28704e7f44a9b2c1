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
    private static readonly string Model = Path.Combine(AppContext.BaseDirectory, "samples", "model", "waveflow-small.safetensors");
    private static readonly string Wavs = Path.Combine(AppContext.BaseDirectory, "samples", "wavs");
    private static readonly string Baseline = Fixture.Path_("shipped", "eval-baseline.json");
    private static readonly string HarmonicModel = Path.Combine(AppContext.BaseDirectory, "samples", "model", "waveflow-harmonic.safetensors");
    private static readonly string HarmonicBaseline = Fixture.Path_("shipped", "harmonic-eval-baseline.json");

    /// <summary>Runs <c>waveflow eval</c> gated on the shipped baseline at 5 % and returns its report.</summary>
    private static EvalReport GatedEval(TempDir tmp, params string[] extra) => GatedEval(tmp, Model, Baseline, extra);

    private static EvalReport GatedEval(TempDir tmp, string model, string baseline, params string[] extra)
    {
        string output = tmp["eval.json"];
        int code = CliRunner.Run(["eval", "--checkpoint", model, "--data", Wavs, "--baseline", baseline,
            "--tolerance", "0.05", "--out", output, "--device", "cpu", .. extra]);
        Assert.Equal(0, code);
        return EvalReport.Read(output);
    }

    /// <summary>
    /// The voiced shipped model (a harmonic source with its own F0 predictor) against its baseline
    /// (`waveflow eval --checkpoint samples/model/waveflow-harmonic.safetensors --data samples/wavs
    /// --out Tests/Fixtures/shipped/harmonic-eval-baseline.json`), and voiced where the recordings
    /// are: F0 measured on every clip and a voicing error under 0.25 (a whispering output has
    /// no F0 and a voicing error near the recordings' voiced share).
    /// </summary>
    [Fact]
    public void VoicedShippedModelStaysWithinItsBaselineAndSpeaksWithAVoice()
    {
        using var tmp = new TempDir();
        var report = GatedEval(tmp, HarmonicModel, HarmonicBaseline);
        Assert.Equal(3, report.Clips.Count);
        foreach (var clip in report.Clips)
        {
            Assert.NotNull(clip.F0RmseCents);
            Assert.InRange(clip.VoicingError ?? 1, 0, 0.25);
        }
    }

    [Fact]
    public void ShippedModelStaysWithinItsBaseline()
    {
        using var tmp = new TempDir();
        Assert.Equal(3, GatedEval(tmp).Clips.Count);
    }

    /// <summary>
    /// bfloat16 synthesis held to the float32 gate (`eval --bf16`): within 5 % of the float32
    /// baseline, and its numbers are not float32's (the option really changes the precision).
    /// </summary>
    [Fact]
    public void Bf16EvalStaysWithinTheFp32Baseline()
    {
        using var tmp = new TempDir();
        var fp32 = EvalReport.Read(Baseline);
        var bf16 = GatedEval(tmp, "--bf16");
        Assert.Equal(fp32.Clips.Count, bf16.Clips.Count);
        double largest = fp32.Clips.Zip(bf16.Clips).Max(p => Math.Abs(p.First.LogMelL1 - p.Second.LogMelL1) / p.First.LogMelL1);
        Assert.True(largest > 1e-5, "bf16 eval equals fp32's: --bf16 did not change the precision");
        Assert.True(largest < 0.02, $"bf16 log-mel L1 differs from fp32 by {largest:P2} on a clip");
    }
}
