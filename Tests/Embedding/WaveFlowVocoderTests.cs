using TorchSharp;
using WaveFlow.Audio;
using WaveFlow.Audio.Wav;
using WaveFlow.Core;
using WaveFlow.Core.Serialization;
using WaveFlow.Tests.Support;
using WaveFlow.Vocoder;
using WaveFlow.Vocoder.Checkpoints;
using static TorchSharp.torch;

namespace WaveFlow.Tests.Embedding;

/// <summary>
/// The embedding API against NVIDIA's micro reference (6 flows × 3 layers, 16 mels, a 120-frame
/// mel) and the internal synthesizer the CLI used before it: same audio, streamed pieces equal
/// to whole synthesis bit for bit, the CLI's input checks, ownership and threads.
/// </summary>
public class WaveFlowVocoderTests
{
    private static readonly string Micro = ModelFixture.WeightsPath("micro");
    private static readonly string MicroConfig = Fixture.Path_("micro", "config.json");
    private static string Shipped => Path.Combine(AppContext.BaseDirectory, "samples", "model", "waveflow-small.safetensors");

    private static WaveFlowVocoder LoadMicro(VocoderOptions? options = null) => WaveFlowVocoder.Load(Micro, "cpu", MicroConfig, options);

    private static float[,] MicroMel() => Mels.Load(Fixture.Path_("micro", "infer.mel.npy"));

    private static async Task<List<float[]>> Collect(IAsyncEnumerable<float[]> pieces)
    {
        var list = new List<float[]>();
        await foreach (var piece in pieces) list.Add(piece);
        return list;
    }

    [Fact]
    public void ReproducesTheReferenceAndTheInternalSynthesizer()
    {
        using var vocoder = LoadMicro();
        Assert.Equal(16, vocoder.MelChannels);
        Assert.Equal(22050, vocoder.SampleRate);
        Assert.Equal(256, vocoder.HopLength);
        Assert.Equal("cpu", vocoder.Device);

        // NVIDIA's noise: the reference audio.
        var eps = ModelFixture.Npy("micro", "infer.eps.npy");
        var melArray = ModelFixture.Npy("micro", "infer.mel.npy");
        var exact = vocoder.SynthesizeArray(melArray, eps);
        double err = Fixture.RelativeL2(exact, ModelFixture.Npy("micro", "infer.sigma0.6.audio.npy").Data);
        Assert.True(err < 1e-4, $"relative L2 error against NVIDIA's audio {err:G3}");

        // The public call, seeded: exactly what the synthesizer gives for the same options.
        var options = new VocoderOptions { Seed = 5, ChunkFrames = 16 };
        var audio = vocoder.Synthesize(MicroMel(), options);
        using var synth = Synthesizer.Load(Micro, CPU, MicroConfig);
        Assert.Equal(synth.Synthesize(melArray, new SynthesisOptions(Sigma: 0.6f, Seed: 5, ChunkFrames: 16)), audio);
        Assert.Equal(120 * 256, audio.Length);
        // The default options are the CLI's: σ 0.6, chunks of 1024 frames.
        Assert.Equal(synth.Synthesize(melArray, new SynthesisOptions(Sigma: 0.6f, Seed: 5, ChunkFrames: 1024)),
            vocoder.Synthesize(MicroMel(), new VocoderOptions { Seed = 5 }));
    }

    [Fact]
    public async Task StreamedPiecesEqualWholeSynthesisBitForBit()
    {
        using var vocoder = LoadMicro();
        var mel = MicroMel();
        foreach (var precision in new[] { Precision.Fp32, Precision.Bf16 })
        {
            var options = new VocoderOptions { Seed = 9, ChunkFrames = 16, Precision = precision };
            var pieces = await Collect(vocoder.SynthesizeStreaming(mel, options));
            // 120 frames in chunks of 16: 7 full chunks and one of 8, each as soon as it is made.
            Assert.Equal(8, pieces.Count);
            Assert.All(pieces.Take(7), p => Assert.Equal(16 * 256, p.Length));
            Assert.Equal(8 * 256, pieces[^1].Length);
            Assert.Equal(vocoder.Synthesize(mel, options), pieces.SelectMany(p => p).ToArray());
        }
        // A mel no longer than a chunk, or the denoiser (whose STFT spans the whole audio): one piece.
        foreach (var options in new[] { new VocoderOptions { Seed = 2 }, new VocoderOptions { Seed = 2, ChunkFrames = 16, Denoise = 0.1f } })
        {
            var pieces = await Collect(vocoder.SynthesizeStreaming(mel, options));
            Assert.Single(pieces);
            Assert.Equal(vocoder.Synthesize(mel, options), pieces[0]);
        }
    }

    [Trait("Category", "Slow")]
    [Fact]
    public async Task ShippedModelStreamsTheSameAudioAsItSynthesizesAndWrites()
    {
        using var vocoder = WaveFlowVocoder.Load(Shipped, "cpu");
        var mel = Mels.FromWav(Fixture.Path_("mel", "WF001-0001.wav"), vocoder.MelSettings);
        // The front end is Tacotron2's: the reference mel of this recording.
        var reference = NpyFile.Read(Fixture.Path_("mel", "WF001-0001.mel.npy"));
        Assert.True(Fixture.RelativeL2(Mels.ToFloatArray(mel).Data, reference.Data) < 1e-5);

        var options = new VocoderOptions { Seed = 1, ChunkFrames = 60 };
        var whole = vocoder.Synthesize(mel, options);
        var pieces = await Collect(vocoder.SynthesizeStreaming(mel, options));
        Assert.Equal((mel.GetLength(1) + 59) / 60, pieces.Count);
        Assert.Equal(whole, pieces.SelectMany(p => p).ToArray());

        using var dir = new TempDir();
        vocoder.SynthesizeToWav(mel, dir["out.wav"], options, WavSampleFormat.Float32);
        var wav = WavFile.Read(dir["out.wav"]);
        Assert.Equal(22050, wav.SampleRate);
        Assert.Equal(whole, wav.Samples);
    }

    [Fact]
    public void BadInputIsAOneLineErrorNamingTheProblem()
    {
        using var vocoder = LoadMicro();
        var nan = MicroMel();
        nan[3, 17] = float.NaN;
        var e = Assert.Throws<WaveFlowException>(() => vocoder.Synthesize(nan));
        Assert.Equal("mel: contains NaN (first at frame 17, mel channel 3)", e.Message);
        var inf = MicroMel();
        inf[0, 5] = float.PositiveInfinity;
        Assert.Contains("+inf (first at frame 5", Assert.Throws<WaveFlowException>(() => vocoder.Synthesize(inf)).Message);
        Assert.Equal("mel: has 80 mel channels, the model expects 16",
            Assert.Throws<WaveFlowException>(() => vocoder.Synthesize(new float[80, 10])).Message);
        Assert.Contains("looks transposed", Assert.Throws<WaveFlowException>(() => vocoder.Synthesize(new float[10, 16])).Message);
        Assert.Equal("mel: has no frames (T = 0)", Assert.Throws<WaveFlowException>(() => vocoder.Synthesize(new float[16, 0])).Message);
        Assert.Throws<ArgumentNullException>(() => vocoder.Synthesize(null!));
        // Streaming checks when called, before anything is enumerated.
        Assert.Throws<WaveFlowException>(() => vocoder.SynthesizeStreaming(nan));
        Assert.Contains("Sigma -1", Assert.Throws<WaveFlowException>(() => vocoder.Synthesize(MicroMel(), new VocoderOptions { Sigma = -1 })).Message);
        Assert.Contains("ChunkFrames -3", Assert.Throws<WaveFlowException>(() => vocoder.Synthesize(MicroMel(), new VocoderOptions { ChunkFrames = -3 })).Message);
        Assert.Contains("Denoise NaN", Assert.Throws<WaveFlowException>(() => vocoder.Synthesize(MicroMel(), new VocoderOptions { Denoise = float.NaN })).Message);

        Assert.Equal("device tpu: expected auto, cpu, cuda or cuda:N", Assert.Throws<WaveFlowException>(() => WaveFlowVocoder.Load(Micro, "tpu", MicroConfig)).Message);
        string missing = Path.Combine(Path.GetTempPath(), "no-such-checkpoint.pt");
        Assert.Equal($"{missing}: file not found", Assert.Throws<WaveFlowException>(() => WaveFlowVocoder.Load(missing, "cpu")).Message);
        Assert.StartsWith("nope.wav: file not found", Assert.Throws<WaveFlowException>(() => Mels.FromWav("nope.wav")).Message);
    }

    [Fact]
    public async Task DisposeFreesTheModelAndLaterCallsAreRefused()
    {
        var vocoder = LoadMicro();
        var mel = MicroMel();
        _ = vocoder.Synthesize(mel, new VocoderOptions { Seed = 1, Precision = Precision.Bf16, Denoise = 0.1f });   // folded copy and denoiser made
        var parameter = vocoder.Loaded.Model.parameters().First();
        var pieces = vocoder.SynthesizeStreaming(mel, new VocoderOptions { Seed = 1, ChunkFrames = 16 }).GetAsyncEnumerator();
        Assert.True(await pieces.MoveNextAsync());
        vocoder.Dispose();
        Assert.True(parameter.IsInvalid, "the model's weights are freed");
        Assert.Throws<ObjectDisposedException>(() => vocoder.Synthesize(mel));
        Assert.Throws<ObjectDisposedException>(() => vocoder.SynthesizeStreaming(mel));
        // A stream begun before Dispose stops at its next chunk.
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await pieces.MoveNextAsync());
        await pieces.DisposeAsync();
        vocoder.Dispose();   // twice is harmless
    }

    [Fact]
    public async Task ConcurrentCallsGiveWhatSequentialCallsGive()
    {
        using var vocoder = LoadMicro(new VocoderOptions { ChunkFrames = 16 });
        var mel = MicroMel();
        var expected = Enumerable.Range(0, 6).Select(seed => vocoder.Synthesize(mel, new VocoderOptions { Seed = seed, ChunkFrames = 16 })).ToArray();
        // Six threads at once, half whole and half streamed: each gets its own seed's audio.
        var results = await Task.WhenAll(Enumerable.Range(0, 6).Select(seed => Task.Run(async () =>
        {
            var options = vocoder.Options with { Seed = seed };
            return seed % 2 == 0 ? vocoder.Synthesize(mel, options) : (await Collect(vocoder.SynthesizeStreaming(mel, options))).SelectMany(p => p).ToArray();
        })));
        for (int seed = 0; seed < 6; seed++) Assert.Equal(expected[seed], results[seed]);
    }

    [Fact]
    public async Task CancellationStopsAStreamBetweenChunks()
    {
        using var vocoder = LoadMicro();
        using var cancel = new CancellationTokenSource();
        int seen = 0;
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var _ in vocoder.SynthesizeStreaming(MicroMel(), new VocoderOptions { ChunkFrames = 16 }, cancel.Token))
                if (++seen == 2) cancel.Cancel();
        });
        Assert.Equal(2, seen);
    }

    /// <summary>
    /// Load, synthesise (whole, chunked, denoised, bfloat16), stream and dispose leave no live
    /// tensor on this thread; the stream's chunks run synchronously here through the same
    /// <see cref="SynthesisStreamOf"/> the async stream drives.
    /// </summary>
    [Fact]
    public void LeavesNoLiveTensors()
    {
        var stats = DisposeScopeManager.Statistics;
        var mel = MicroMel();
        void Cycle()
        {
            using var vocoder = LoadMicro();
            _ = vocoder.Synthesize(mel, new VocoderOptions { Seed = 1 });
            _ = vocoder.Synthesize(mel, new VocoderOptions { Seed = 1, ChunkFrames = 16, Denoise = 0.1f, Precision = Precision.Bf16 });
            using var stream = SynthesisStreamOf(vocoder, mel, new VocoderOptions { Seed = 1, ChunkFrames = 16 });
            while (!stream.Done) _ = stream.Next();
        }
        Cycle();   // warm-up: libtorch's one-time allocations
        long before = stats.ThreadTotalLiveCount;
        Cycle();
        Assert.Equal(before, stats.ThreadTotalLiveCount);

        // The count sees a vocoder that is not disposed, so the check above can fail.
        var kept = LoadMicro();
        long alive = stats.ThreadTotalLiveCount;
        kept.Dispose();
        Assert.True(alive > stats.ThreadTotalLiveCount, $"live tensors {alive} with a vocoder loaded, {stats.ThreadTotalLiveCount} after Dispose");
    }

    private static global::WaveFlow.Vocoder.Synthesis.SynthesisStream SynthesisStreamOf(WaveFlowVocoder vocoder, float[,] mel, VocoderOptions options) =>
        vocoder.Synthesizer.Stream(Mels.ToFloatArray(mel), options.ToSynthesis());
}
