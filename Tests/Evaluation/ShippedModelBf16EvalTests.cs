using WaveFlow.Evaluation.Gate;
using WaveFlow.Tests.Support;

namespace WaveFlow.Tests.Evaluation;

/// <summary>
/// bfloat16 synthesis held to the float32 regression gate: the shipped model, resynthesising the
/// shipped recordings in bfloat16 (`eval --bf16`), stays within 5 % of the float32 baseline it
/// shipped with, and its numbers are not float32's (the option really changes the precision).
/// </summary>
public class ShippedModelBf16EvalTests
{
    [Fact]
    public void Bf16EvalStaysWithinTheFp32Baseline()
    {
        string model = Path.Combine(AppContext.BaseDirectory, "samples", "model", "waveflow-small.safetensors");
        string wavs = Path.Combine(AppContext.BaseDirectory, "samples", "wavs");
        string baseline = Fixture.Path_("shipped", "eval-baseline.json");
        using var dir = new TempDir();
        string fp32 = dir["fp32.json"], bf16 = dir["bf16.json"];
        {
            Assert.Equal(0, CliRunner.Run("eval", "--checkpoint", model, "--data", wavs, "--out", fp32, "--device", "cpu"));
            Assert.Equal(0, CliRunner.Run("eval", "--checkpoint", model, "--data", wavs, "--bf16", "--baseline", baseline,
                "--tolerance", "0.05", "--out", bf16, "--device", "cpu"));
            var a = EvalReport.Read(fp32);
            var b = EvalReport.Read(bf16);
            Assert.Equal(a.Clips.Count, b.Clips.Count);
            double largest = a.Clips.Zip(b.Clips).Max(p => Math.Abs(p.First.LogMelL1 - p.Second.LogMelL1) / p.First.LogMelL1);
            Assert.True(largest > 1e-5, "bf16 eval equals fp32's: --bf16 did not change the precision");
            Assert.True(largest < 0.02, $"bf16 log-mel L1 differs from fp32 by {largest:P2} on a clip");
        }
    }
}
