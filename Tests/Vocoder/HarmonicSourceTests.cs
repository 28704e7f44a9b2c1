using TorchSharp;
using WaveFlow.Audio;
using WaveFlow.Core;
using WaveFlow.Core.IO;
using WaveFlow.Tests.Support;
using WaveFlow.Vocoder;
using WaveFlow.Vocoder.Checkpoints;
using static TorchSharp.torch;

namespace WaveFlow.Tests.Vocoder;

/// <summary>
/// The harmonic source (waveglow_config.harmonic_source): the flow models audio − source, so the
/// whole map keeps the flow's exact inverse and log-determinant; synthesis renders the source
/// once per utterance, so chunked and streamed synthesis equal whole synthesis; checkpoints
/// describe themselves; F0 given by the user replaces the predicted pitch.
/// </summary>
public class HarmonicSourceTests
{
    // The tiny config's STFT (16 mels of a 256-point STFT, hop 64) keeps the upsampler small.
    private static readonly MelOptions Mel = new() { FilterLength = 256, HopLength = 64, WinLength = 256, NMelChannels = 16, MelFmax = 8000 };
    private static readonly WaveGlowOptions Options = new()
    {
        NMelChannels = 16, NFlows = 4, NGroup = 8, NEarlyEvery = 2, NEarlySize = 2, WN = new WNOptions(2, 8, 3),
        HarmonicSource = new HarmonicSourceOptions { Harmonics = 12, PredictorChannels = 8, PredictorLayers = 2, AmplitudeChannels = 8 },
    };

    /// <summary>A model whose every parameter is perturbed (the source's zero-initialised layer and gain included), so nothing is an identity.</summary>
    private static WaveGlow Build(long seed = 5)
    {
        WaveGlow model;
        using (InitRandom.Seeded(seed)) model = new WaveGlow(Options, Mel);
        using var _ = no_grad();
        var gen = new Generator((ulong)seed);
        foreach (var p in model.parameters()) p.add_(randn(p.shape, generator: gen) * 0.05);
        return model;
    }

    [Fact]
    public void TheWholeMapInvertsAndItsLogDetEqualsAutograd()
    {
        using var scope = NewDisposeScope();
        using var model = Build();
        model.to(ScalarType.Float64);
        var source = model.Source!;
        var gen = new Generator(11);
        long samples = 8 * 6, frames = samples / Mel.HopLength + 1;
        var mel = randn(1, 16, frames, dtype: ScalarType.Float64, generator: gen);
        var f0 = full(1, frames, 150.0, dtype: ScalarType.Float64);
        var voiced = ones(1, frames, dtype: ScalarType.Float64);
        var carriers = randn(1, 12, samples, dtype: ScalarType.Float64, generator: gen);
        var s = source.Waveform(source.LogAmplitudes(mel, f0, voiced), carriers);           // (1, T)
        Assert.True(s.abs().max().item<double>() > 1e-3, "the perturbed source is not zero");

        var audio = (rand(1, samples, dtype: ScalarType.Float64, generator: gen) * 2 - 1).requires_grad_(true);
        var (z, logS, logDetW) = model.Forward(audio - s, mel);
        var zFlat = z.reshape(-1);
        var jacobian = zeros(samples, samples, dtype: ScalarType.Float64);
        for (long i = 0; i < samples; i++) jacobian[i] = autograd.grad([zFlat[i]], [audio], retain_graph: true)[0].reshape(-1);
        double expected = linalg.slogdet(jacobian).Item2.item<double>(), actual = (logS + logDetW).item<double>();
        Assert.True(Math.Abs(actual - expected) < 1e-8 * Math.Max(1, Math.Abs(expected)), $"log-det {actual:G12}, autograd {expected:G12}");

        using var __ = no_grad();
        var back = model.Inverse(z, mel) + s;
        double err = (back - audio).abs().max().item<double>();
        Assert.True(err < 1e-5, $"max |inverse(forward(x − s)) + s − x| = {err:G3}");
    }

    [Fact]
    public void CarriersOfAConstantPitchAreItsHarmonicsUpToTheCeiling()
    {
        const int rate = 22050, hop = 256, frames = 20, k = 8;
        var f0 = Enumerable.Repeat(1100f, frames).ToArray();
        var gate = Enumerable.Repeat(1f, frames).ToArray();
        long samples = frames * hop;
        var c = HarmonicCarriers.Synthesis(f0, gate, samples, hop, rate, k, ceilingHz: 8000);
        for (int h = 1; h <= k; h++)
            for (long n = 0; n < samples; n += 97)
            {
                double expected = h * 1100 < 8000 ? Math.Cos(2 * Math.PI * h * 1100 * n / rate) : 0;
                Assert.True(Math.Abs(c[(h - 1) * samples + n] - expected) < 1e-4, $"harmonic {h}, sample {n}: {c[(h - 1) * samples + n]} vs {expected}");
            }
    }

    [Fact]
    public void UnvoicedFramesAreFilledBetweenVoicedOnes()
    {
        Assert.Equal(new[] { 100f, 100f, 150f, 200f, 200f }, HarmonicCarriers.Continuous([0, 100, 0, 200, 0], 170));
        Assert.Equal(new[] { 170f, 170f }, HarmonicCarriers.Continuous([0, 0], 170));
    }

    [Fact]
    public void ChunkedAndStreamedSynthesisEqualWholeSynthesisAndTheSourceIsHeard()
    {
        var model = Build();
        using var synth = new Synthesizer(new LoadedModel(model, Options, Mel, 0, "test"));   // owns the model
        var gen = new Generator(3);
        var mel = randn(16, 90, generator: gen) - 4;
        var melArray = new FloatArray(mel.data<float>().ToArray(), [16, 90]);
        var whole = synth.Synthesize(melArray, new SynthesisOptions(Seed: 9));
        var chunked = synth.Synthesize(melArray, new SynthesisOptions(Seed: 9, ChunkFrames: 16));
        Assert.True(Fixture.RelativeL2(chunked, whole) < 1e-5, $"chunked vs whole: {Fixture.RelativeL2(chunked, whole):G3}");
        using var stream = synth.Stream(melArray, new SynthesisOptions(Seed: 9, ChunkFrames: 16));
        var pieces = new List<float>();
        while (!stream.Done) pieces.AddRange(stream.Next());
        Assert.Equal(chunked, pieces.ToArray());

        // An all-unvoiced F0 silences the source: the output is then the flow's alone, and differs from the voiced output.
        var silent = synth.Synthesize(melArray, new SynthesisOptions(Seed: 9, F0: new float[90]));
        var voiced = synth.Synthesize(melArray, new SynthesisOptions(Seed: 9, F0: Enumerable.Repeat(120f, 90).ToArray()));
        using var scope = NewDisposeScope();
        using var __ = no_grad();
        var t = tensor(melArray.Data, [1, 16, 90]);
        var source = model.Source!.Render(t, 90 * 64, new float[90]);
        Assert.Equal(0, source.abs().max().item<float>());
        double difference = Fixture.RelativeL2(voiced, silent);
        Assert.True(difference > 1e-3, $"a voiced F0 changes the audio (relative difference {difference:G3})");
    }

    [Fact]
    public void TheCheckpointCarriesTheSourceAndAWrongF0FileIsRefusedByName()
    {
        using var dir = new TempDir();
        string path = Path.Combine(dir.Path, "harmonic.safetensors");
        using (var model = Build())
            WaveFlowCheckpoint.Save(path, model, Options, Mel, 7);
        var loaded = CheckpointLoader.Load(path, CPU);
        using (loaded.Model)
        {
            Assert.Equal(Options, loaded.Options);
            Assert.NotNull(loaded.Model.Source);
            using var original = Build();
            var expected = original.state_dict();
            foreach (var (name, value) in loaded.Model.state_dict().Where(p => p.Key.StartsWith("source.", StringComparison.Ordinal)))
                Assert.True((value - expected[name]).abs().max().item<float>() == 0, name);
        }
        using var vocoder = WaveFlowVocoder.Load(path, "cpu");
        var mel = new FloatArray(new float[16 * 10], [16, 10]);
        var e = Assert.Throws<WaveFlowException>(() => vocoder.SynthesizeArray(mel, null, new FloatArray(new float[9], [9]), "f0.npy"));
        Assert.StartsWith("f0.npy: ", e.Message);
        Assert.Contains("10 frames", e.Message);
    }
}
