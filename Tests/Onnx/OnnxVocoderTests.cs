using WaveFlow.Audio;
using WaveFlow.Core;
using WaveFlow.Onnx;
using WaveFlow.Tests.Support;
using WaveFlow.Vocoder;

namespace WaveFlow.Tests.Onnx;

/// <summary>The WaveFlow.Onnx facade: chunks with exact context, streaming, WAV output, options and errors as the libtorch vocoder's.</summary>
public class OnnxVocoderTests
{
    private static (TempDir Tmp, string Path, WaveGlow Model) TinyExport()
    {
        var tmp = new TempDir();
        var model = ModelFixture.Load("tiny");
        return (tmp, OnnxTestModels.Export(model, tmp), model);
    }

    [Fact]
    public void ChunkedSynthesisEqualsWholeUtteranceAndLibtorch()
    {
        var (tmp, path, model) = TinyExport();
        using (tmp) using (model)
        {
            var mel = ModelFixture.Npy("tiny", "infer.mel.npy");              // 80 × 307 frames
            var eps = ModelFixture.Npy("tiny", "infer.eps.npy");
            var whole = OnnxTestModels.Onnx(path, mel, eps, 0.6f);
            var libtorch = OnnxTestModels.Libtorch(model, mel, eps, 0.6f);
            // tiny's context is 5 frames; chunks of 7 and 40 frames are windows of 17 and 50 frames.
            foreach (int chunk in new[] { 7, 40 })
            {
                var chunked = OnnxTestModels.Onnx(path, mel, eps, 0.6f, chunk);
                Assert.Equal(whole.Length, chunked.Length);
                double err = Fixture.RelativeL2(chunked, whole);
                Assert.True(err <= 1e-5, $"chunks of {chunk}: vs whole relative L2 {err:G3}");
                Assert.True(Fixture.RelativeL2(chunked, libtorch) <= 1e-4, $"chunks of {chunk} vs libtorch");
            }
        }
    }

    [Fact]
    public void ChunksWithoutContextWouldDifferSoTheContextIsWhatMakesThemExact()
    {
        // The property above is not vacuous: the same chunks with no context give other audio.
        var (tmp, path, model) = TinyExport();
        using (tmp) using (model)
        {
            var mel = ModelFixture.Npy("tiny", "infer.mel.npy");
            var eps = ModelFixture.Npy("tiny", "infer.eps.npy");
            var whole = OnnxTestModels.Onnx(path, mel, eps, 0.6f);
            using var onnxModel = new OnnxModel(path, "cpu");
            Assert.True(onnxModel.Description.ContextFrames > 0);
            long frames = mel.Shape[1], steps = eps.Shape[1];
            var plan = OnnxChunk.Plan(frames, steps, 7, 0, 256, 8);
            var synthesizer = new OnnxSynthesizer(onnxModel);
            var z = eps.Data.Select(v => v * 0.6f).ToArray();
            var noContext = plan.SelectMany(c => synthesizer.RunChunk(mel.Data, frames, z, steps, c)).ToArray();
            Assert.True(Fixture.RelativeL2(noContext, whole) > 1e-3);
        }
    }

    [Fact]
    public async Task StreamingPiecesAreSynthesizeBitForBit()
    {
        var (tmp, path, model) = TinyExport();
        using (tmp) using (model)
        {
            var melArray = ModelFixture.Npy("tiny", "infer.mel.npy");
            var mel = Mels.ToMatrix(melArray);
            using var vocoder = WaveFlowOnnxVocoder.Load(path, "cpu", new OnnxVocoderOptions { ChunkFrames = 20, Seed = 42 });
            var whole = vocoder.Synthesize(mel);
            var pieces = new List<float[]>();
            await foreach (var piece in vocoder.SynthesizeStreaming(mel)) pieces.Add(piece);
            Assert.Equal(16, pieces.Count);                                  // ⌈307 / 20⌉
            Assert.Equal(whole, pieces.SelectMany(p => p).ToArray());
            Assert.Equal(307 * vocoder.HopLength, whole.Length);
            // The seed makes it reproducible; another seed gives other audio.
            Assert.Equal(whole, vocoder.Synthesize(mel));
            Assert.NotEqual(whole, vocoder.Synthesize(mel, vocoder.Options with { Seed = 43 }));
        }
    }

    [Fact]
    public void SynthesizeToWavWritesTheAudioAtTheModelsRate()
    {
        var (tmp, path, model) = TinyExport();
        using (tmp) using (model)
        {
            var mel = Mels.ToMatrix(ModelFixture.Npy("tiny", "infer.mel.npy"));
            using var vocoder = WaveFlowOnnxVocoder.Load(path, "cpu", new OnnxVocoderOptions { Seed = 1 });
            string wav = tmp["out.wav"];
            vocoder.SynthesizeToWav(mel, wav, format: global::WaveFlow.Audio.Wav.WavSampleFormat.Float32);
            var clip = global::WaveFlow.Audio.Wav.WavFile.Read(wav);
            Assert.Equal(vocoder.SampleRate, clip.SampleRate);
            Assert.Equal(vocoder.Synthesize(mel), clip.Samples);
        }
    }

    [Fact]
    public void BadMelsAndOptionsAreOneLineErrors()
    {
        var (tmp, path, model) = TinyExport();
        using (tmp) using (model)
        {
            using var vocoder = WaveFlowOnnxVocoder.Load(path, "cpu");
            var wrongChannels = new float[79, 10];
            var e = Assert.Throws<WaveFlowException>(() => vocoder.Synthesize(wrongChannels));
            Assert.Contains("80", e.Message);
            var nan = new float[80, 10];
            nan[3, 4] = float.NaN;
            Assert.Throws<WaveFlowException>(() => vocoder.Synthesize(nan));
            Assert.Throws<WaveFlowException>(() => vocoder.Synthesize(new float[80, 10], new OnnxVocoderOptions { Sigma = -1 }));
            var denoise = Assert.Throws<WaveFlowException>(() => vocoder.Synthesize(new float[80, 10], new OnnxVocoderOptions { Denoise = 0.1f }));
            Assert.Contains("denoiser", denoise.Message);
            Assert.Throws<WaveFlowException>(() => WaveFlowOnnxVocoder.Load(path, "tpu"));
            foreach (var m in new[] { e.Message, denoise.Message }) Assert.DoesNotContain('\n', m);
            vocoder.Dispose();
            Assert.Throws<ObjectDisposedException>(() => vocoder.Synthesize(new float[80, 10]));
        }
    }
}
