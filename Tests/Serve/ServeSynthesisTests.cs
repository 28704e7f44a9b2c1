using System.Net;
using WaveFlow.Audio.Wav;
using WaveFlow.Core;
using WaveFlow.Core.Serialization.PyTorch;
using WaveFlow.Serve;
using WaveFlow.Tests.Support;
using WaveFlow.Vocoder;

namespace WaveFlow.Tests.Serve;

/// <summary>
/// POST /v1/synthesize against the independent path: the vocoder's own synthesis of the same mel
/// and seed (what <c>waveflow synthesize</c> runs: whole-utterance or 1024-frame chunks), while
/// the server cuts 128-frame chunks and batches chunks of concurrent requests.
/// </summary>
public sealed class ServeSynthesisTests
{
    /// <summary>The bound: the service's samples equal <c>waveflow synthesize</c>'s to this.</summary>
    private const float Tolerance = 1e-5f;

    private static float[] Solo(FloatArray mel, long seed, float sigma = 0.6f)
    {
        using var vocoder = WaveFlowVocoder.Load(ServeHarness.ModelPath, "cpu", null, new VocoderOptions { Seed = seed, Sigma = sigma });
        return vocoder.SynthesizeArray(mel, null);
    }

    private static float[] Samples(byte[] wav) => WavFile.Parse(wav, "response").Samples;

    private static void AssertClose(float[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        float worst = 0;
        for (int i = 0; i < expected.Length; i++) worst = Math.Max(worst, Math.Abs(expected[i] - actual[i]));
        Assert.True(worst <= Tolerance, $"largest difference {worst:E2} > {Tolerance:E0}");
    }

    [Fact]
    public async Task Wav32f_EqualsTheCommandsSynthesis_AndStreamsInChunks()
    {
        await using var server = await ServeHarness.StartAsync();
        var mel = ServeHarness.Mel(308);                       // 3 chunks of 128 frames
        using var response = await server.Synthesize(ServeHarness.Npy(mel), "model=small&seed=7&sigma=0.6&format=wav32f");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("audio/wav", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("7", response.Headers.GetValues("X-WaveFlow-Seed").Single());
        var wav = await response.Content.ReadAsByteArrayAsync();
        var header = WavHeader.Read(new MemoryStream(wav), "response");
        Assert.Equal(22050, header.SampleRate);
        Assert.Equal(308L * 256 * 4, header.DeclaredDataBytes);   // exact sizes, written before the audio
        AssertClose(Solo(mel, 7), Samples(wav));
        Assert.Equal(3, await server.Metric("waveflow_batch_size_count{model=\"small\"}"));
    }

    [Fact]
    public async Task Wav16_IsTheCommandsFileEncoding()
    {
        await using var server = await ServeHarness.StartAsync();
        var mel = ServeHarness.Mel(100);
        using var response = await server.Synthesize(ServeHarness.Npy(mel), "seed=3&format=wav16");
        var wav = await response.Content.ReadAsByteArrayAsync();
        // 100 frames fit one chunk: the same forward pass as the command's, so the same bytes.
        Assert.Equal(WavFile.Encode(Solo(mel, 3), 22050, WavSampleFormat.Pcm16), wav);
    }

    [Fact]
    public async Task TorchSaveBody_GivesTheSameAudioAsNpy()
    {
        await using var server = await ServeHarness.StartAsync();
        var mel = ServeHarness.Mel(150);
        using var tmp = new TempDir();
        TorchZipWriter.WriteTensor(tmp["mel.pt"], mel, false);
        using var fromPt = await server.Synthesize(File.ReadAllBytes(tmp["mel.pt"]), "seed=11&format=wav32f");
        using var fromNpy = await server.Synthesize(ServeHarness.Npy(mel), "seed=11&format=wav32f");
        Assert.Equal(HttpStatusCode.OK, fromPt.StatusCode);
        Assert.Equal(await fromNpy.Content.ReadAsByteArrayAsync(), await fromPt.Content.ReadAsByteArrayAsync());
    }

    [Theory]
    [InlineData(8)]
    [InlineData(1)]
    public async Task ConcurrentRequests_ShareForwardPasses_YetEachEqualsItsSoloSynthesis(int maxBatch)
    {
        await using var server = await ServeHarness.StartAsync(new ServeSettings { Models = [], MaxBatch = maxBatch });
        // Different lengths and seeds; middle chunks (128 frames + 7 of context each side) have one shape.
        var cases = new[] { (Frames: 700, Seed: 1L), (Frames: 640, Seed: 2L), (Frames: 700, Seed: 3L), (Frames: 520, Seed: 4L) };
        var responses = await Task.WhenAll(cases.Select(async c =>
        {
            using var r = await server.Synthesize(ServeHarness.Npy(ServeHarness.Mel(c.Frames)), $"seed={c.Seed}&format=wav32f");
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
            return await r.Content.ReadAsByteArrayAsync();
        }));
        for (int i = 0; i < cases.Length; i++) AssertClose(Solo(ServeHarness.Mel(cases[i].Frames), cases[i].Seed), Samples(responses[i]));
        double passes = await server.Metric("waveflow_batch_size_count{model=\"small\"}");
        double chunks = await server.Metric("waveflow_batch_size_sum{model=\"small\"}");
        Assert.Equal(6 + 5 + 6 + 5, chunks);                      // ⌈frames / 128⌉ chunks per request
        if (maxBatch == 1) Assert.Equal(chunks, passes);
        else Assert.True(passes < chunks, $"{chunks} chunks in {passes} forward passes: nothing was batched");
    }
}
