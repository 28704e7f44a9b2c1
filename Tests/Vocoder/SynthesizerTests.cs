using TorchSharp;
using WaveFlow.Core;
using WaveFlow.Tests.Support;
using WaveFlow.Vocoder;
using WaveFlow.Vocoder.Checkpoints;
using static TorchSharp.torch;

namespace WaveFlow.Tests.Vocoder;

public class SynthesizerTests
{
    private static LoadedModel Micro() => CheckpointLoader.Load(ModelFixture.WeightsPath("micro"), CPU, Fixture.Path_("micro", "config.json"));

    [Fact]
    public void GivenNoiseReproducesReferenceAndSeedsAreReproducible()
    {
        using var synth = new Synthesizer(Micro());
        var mel = ModelFixture.Npy("micro", "infer.mel.npy");
        var eps = ModelFixture.Npy("micro", "infer.eps.npy");
        var audio = synth.Synthesize(mel, new SynthesisOptions(Sigma: 0.6f, Noise: eps));
        double err = Fixture.RelativeL2(audio, ModelFixture.Npy("micro", "infer.sigma0.6.audio.npy").Data);
        Assert.True(err < 1e-4, $"synthesis with the reference noise: relative L2 error {err:G3}");

        var a = synth.Synthesize(mel, new SynthesisOptions(Seed: 7));
        var b = synth.Synthesize(mel, new SynthesisOptions(Seed: 7));
        var c = synth.Synthesize(mel, new SynthesisOptions(Seed: 8));
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
        Assert.Equal(mel.Shape[1] * 256, a.Length);

        var wrong = new FloatArray(new float[8 * 10], [8, 10]);
        var e = Assert.Throws<WaveFlowException>(() => synth.Synthesize(mel, new SynthesisOptions(Noise: wrong)));
        Assert.Contains("[8, 3840]", e.Message);
    }

    [Fact]
    public void ChunkedSynthesisReproducesTheReference()
    {
        using var synth = new Synthesizer(Micro());
        var mel = ModelFixture.Npy("micro", "infer.mel.npy");     // 120 frames → 8 chunks of 16
        var eps = ModelFixture.Npy("micro", "infer.eps.npy");
        var audio = synth.Synthesize(mel, new SynthesisOptions(Sigma: 0.6f, Noise: eps, ChunkFrames: 16));
        double err = Fixture.RelativeL2(audio, ModelFixture.Npy("micro", "infer.sigma0.6.audio.npy").Data);
        Assert.True(err < 1e-4, $"chunked synthesis with the reference noise: relative L2 error {err:G3}");
    }

    [Fact]
    public void LowPrecisionIsCloseToFloat32()
    {
        using var synth = new Synthesizer(Micro());
        var mel = ModelFixture.Npy("micro", "infer.mel.npy");
        var eps = ModelFixture.Npy("micro", "infer.eps.npy");
        var full = synth.Synthesize(mel, new SynthesisOptions(Noise: eps));
        var half = synth.Synthesize(mel, new SynthesisOptions(Noise: eps, Precision: Precision.Fp16));
        var brain = synth.Synthesize(mel, new SynthesisOptions(Noise: eps, Precision: Precision.Bf16));
        double halfErr = Fixture.RelativeL2(half, full), brainErr = Fixture.RelativeL2(brain, full);
        Assert.True(halfErr < 5e-3, $"float16 vs float32: relative L2 error {halfErr:G3}");
        // bfloat16 keeps 8 mantissa bits to float16's 11: about 8× the error, still far below audible.
        Assert.True(brainErr < 4e-2, $"bfloat16 vs float32: relative L2 error {brainErr:G3}");
        Assert.True(brainErr > halfErr, $"bfloat16 {brainErr:G3} should be coarser than float16 {halfErr:G3}: was it really run in bfloat16?");
        // The float32 result is unchanged by the low-precision copies (they are separate models).
        Assert.Equal(full, synth.Synthesize(mel, new SynthesisOptions(Noise: eps)));
    }

    [Fact]
    public void DenoiserMatchesReferenceBiasAndDenoisedAudio()
    {
        using var model = ModelFixture.Load("tiny");
        using var denoiser = new Denoiser(model, CPU);
        double biasErr = Fixture.RelativeL2(denoiser.BiasSpectrum(), ModelFixture.Npy("tiny", "denoiser.bias_spec.npy").Data);
        Assert.True(biasErr < 1e-4, $"bias spectrum: relative L2 error {biasErr:G3}");

        using var scope = NewDisposeScope();
        var audio = ModelFixture.Batched(ModelFixture.Npy("tiny", "infer.sigma0.6.audio.npy"));
        var denoised = ModelFixture.Floats(denoiser.Denoise(audio, 0.1));
        var reference = ModelFixture.Npy("tiny", "denoised0.1.audio.npy").Data;
        Assert.Equal(reference.Length, denoised.Length);
        double err = Fixture.RelativeL2(denoised, reference);
        Assert.True(err < 1e-4, $"denoised audio: relative L2 error {err:G3}");
    }

    /// <summary>The synthesizer keeps its denoiser across files: the second denoised file must work and match the first.</summary>
    [Fact]
    public void DenoisingSeveralFilesReusesTheDenoiser()
    {
        using var synth = new Synthesizer(Micro());
        var mel = ModelFixture.Npy("micro", "infer.mel.npy");
        var eps = ModelFixture.Npy("micro", "infer.eps.npy");
        var first = synth.Synthesize(mel, new SynthesisOptions(Noise: eps, Denoise: 0.1f));
        var second = synth.Synthesize(mel, new SynthesisOptions(Noise: eps, Denoise: 0.1f));
        Assert.Equal(first, second);
        var plain = synth.Synthesize(mel, new SynthesisOptions(Noise: eps));
        Assert.NotEqual(plain, second);
    }

    [Fact]
    public void DenoiserFollowsOtherMelSettings()
    {
        // 3 mels, filter 16, hop 4: the bias has 9 bins and strength 0 gives the audio back.
        using var model = FlowPropertyTests.Build(new WaveGlowOptions { NMelChannels = 3, NFlows = 2, NGroup = 4, WN = new WNOptions(2, 4, 3) }.ToJson(), 3);
        using var denoiser = new Denoiser(model, CPU);
        Assert.Equal(9, denoiser.BiasSpectrum().Length);
        using var scope = NewDisposeScope();
        var audio = rand(1, 400) - 0.5;
        var same = denoiser.Denoise(audio, 0.0);
        Assert.Equal(400, same.shape[1]);
        double err = Fixture.RelativeL2(ModelFixture.Floats(same), ModelFixture.Floats(audio));
        Assert.True(err < 1e-4, $"strength 0 round trip: {err:G3}");
        var less = denoiser.Denoise(audio, 1.0);
        Assert.True((less.norm() < audio.norm()).item<bool>());
    }
}
