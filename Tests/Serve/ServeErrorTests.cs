using System.Net;
using System.Text;
using WaveFlow.Core;
using WaveFlow.Serve;
using WaveFlow.Tests.Support;

namespace WaveFlow.Tests.Serve;

/// <summary>
/// What the service answers to bad requests: a status code and a one-line JSON error naming the
/// problem, never audio, never a 5xx; and that the service still serves afterwards.
/// </summary>
public sealed class ServeErrorTests
{
    public static TheoryData<string, string, string> BadQueries => new()
    {
        { "model=nope", "unknown model 'nope'", "unknown model" },
        { "voice=x", "unknown query parameter 'voice'", "unknown option" },
        { "sigma=abc", "sigma 'abc'", "sigma not a number" },
        { "sigma=NaN", "sigma 'NaN'", "sigma NaN" },
        { "sigma=-1", "sigma '-1'", "negative sigma" },
        { "sigma=100", "sigma '100'", "sigma beyond the bound" },
        { "seed=-3", "seed '-3'", "negative seed" },
        { "format=mp3", "format 'mp3'", "unknown format" },
        { "seed=1&seed=2", "'seed' is given 2 times", "repeated key" },
    };

    [Theory]
    [MemberData(nameof(BadQueries))]
    public async Task BadOption_Is400NamingIt(string query, string expected, string what)
    {
        await using var server = await ServeHarness.StartAsync();
        using var response = await server.Synthesize(ServeHarness.Npy(ServeHarness.Mel(40)), query);
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, what);
        Assert.Contains(expected, await ServeHarness.ErrorOf(response));
    }

    [Fact]
    public async Task BadMels_Are400NamingTheProblem_AndTheServiceStillServes()
    {
        await using var server = await ServeHarness.StartAsync();
        var mel = ServeHarness.Mel(40);
        var nan = mel with { Data = (float[])mel.Data.Clone() };
        nan.Data[5 * 40 + 17] = float.NaN;
        var inf = mel with { Data = (float[])mel.Data.Clone() };
        inf.Data[3] = float.PositiveInfinity;
        var npy = ServeHarness.Npy(mel);
        var bodies = new (byte[] Body, string Expected)[]
        {
            (ServeHarness.Npy(nan), "contains NaN (first at frame 17, mel channel 5)"),
            (ServeHarness.Npy(inf), "contains +inf"),
            (ServeHarness.Npy(new FloatArray(new float[40 * 50], [40, 50])), "has 40 mel channels, the model expects 80"),
            (ServeHarness.Npy(new FloatArray(new float[80 * 50], [50, 80])), "looks transposed"),
            (ServeHarness.Npy(new FloatArray(new float[80], [80])), "rank 1"),
            (ServeHarness.Npy(new FloatArray(new float[2 * 80 * 5], [2, 80, 5])), "batch of 2"),
            (npy[..(npy.Length / 2)], "request body"),                                         // truncated
            (npy[..20], "request body"),                                                        // header cut
            (Encoding.UTF8.GetBytes("/etc/passwd"), "neither a .npy file nor a torch.save tensor"),  // no request names a server file
            ([], "empty"),
            ([0x80, 0x02, 0x7d, 0x71, 0x00, 0x2e], "request body"),                          // a pickled dict, not a tensor
            ([(byte)'P', (byte)'K', 3, 4, 0, 0, 0], "request body"),                         // a broken zip
        };
        foreach (var (body, expected) in bodies)
        {
            using var response = await server.Synthesize(body, "seed=1");
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            var error = await ServeHarness.ErrorOf(response);
            Assert.Contains(expected, error);
            Assert.StartsWith("request body", error);
        }
        using var good = await server.Synthesize(npy, "seed=1");
        Assert.Equal(HttpStatusCode.OK, good.StatusCode);
        Assert.Equal(bodies.Length, await server.Metric("waveflow_request_errors_total{reason=\"bad_mel\"}"));
    }

    [Fact]
    public async Task TooMuchWork_Is413_ByBytesOrByFrames()
    {
        // 1 s at 22,050 Hz, hop 256: 86 frames; the body limit is 64 KiB + 80 × 86 float64.
        await using var server = await ServeHarness.StartAsync(new ServeSettings { Models = [], MaxSeconds = 1 });
        using var tooLong = await server.Synthesize(ServeHarness.Npy(ServeHarness.Mel(100)), "");
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooLong.StatusCode);
        Assert.Contains("100 frames ask for 1.2 s of audio, the limit is 1 s", await ServeHarness.ErrorOf(tooLong));
        using var tooBig = await server.Synthesize(new byte[MelBody.MaxBytes(80, 86) + 1], "");
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooBig.StatusCode);
        Assert.Contains("the limit is", await ServeHarness.ErrorOf(tooBig));
        using var fits = await server.Synthesize(ServeHarness.Npy(ServeHarness.Mel(86)), "");
        Assert.Equal(HttpStatusCode.OK, fits.StatusCode);
    }

    [Fact]
    public async Task ApiKey_IsRequiredOnV1_AndAcceptedAsBearerOrHeader()
    {
        await using var server = await ServeHarness.StartAsync(new ServeSettings { Models = [], ApiKey = "s3cret-key" });
        var npy = ServeHarness.Npy(ServeHarness.Mel(30));
        using (var none = await server.Synthesize(npy, ""))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, none.StatusCode);
            Assert.Contains("API key", await ServeHarness.ErrorOf(none));
        }
        foreach (var (name, value, ok) in new[] { ("Authorization", "Bearer s3cret-key", true), ("X-API-Key", "s3cret-key", true),
                     ("X-API-Key", "s3cret-kez", false), ("X-API-Key", "s3cret-key-and-more", false), ("Authorization", "Basic s3cret-key", false) })
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/synthesize") { Content = ServeHarness.Body(npy) };
            request.Headers.TryAddWithoutValidation(name, value);
            using var response = await server.Client.SendAsync(request);
            Assert.True((response.StatusCode == HttpStatusCode.OK) == ok, $"{name}: {value} → {response.StatusCode}");
        }
        using var models = await server.Client.GetAsync("/v1/models");
        Assert.Equal(HttpStatusCode.Unauthorized, models.StatusCode);
        using var health = await server.Client.GetAsync("/healthz");     // probes carry no key
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }

    [Fact]
    public async Task Probes_Models_AndMetrics_Answer()
    {
        await using var server = await ServeHarness.StartAsync();
        Assert.Contains("\"live\"", await server.Client.GetStringAsync("/healthz"));
        Assert.Contains("\"ready\"", await server.Client.GetStringAsync("/readyz"));
        var models = System.Text.Json.JsonDocument.Parse(await server.Client.GetStringAsync("/v1/models")).RootElement.GetProperty("models");
        Assert.Equal(["small", "other"], models.EnumerateArray().Select(m => m.GetProperty("name").GetString()));
        var small = models[0];
        Assert.Equal(22050, small.GetProperty("sample_rate").GetInt32());
        Assert.Equal(8, small.GetProperty("config").GetProperty("n_flows").GetInt32());
        Assert.Equal("waveflow-small.safetensors", small.GetProperty("checkpoint").GetString());   // a name, not the server's path
        using var _ = await server.Synthesize(ServeHarness.Npy(ServeHarness.Mel(30)), "model=other");
        var metrics = await server.Client.GetStringAsync("/metrics");
        foreach (var series in new[] { "waveflow_requests_total{model=\"other\",code=\"200\"} 1", "waveflow_queue_length 0",
                     "waveflow_request_duration_seconds_bucket", "waveflow_real_time_factor_bucket", "waveflow_time_to_first_audio_seconds_bucket",
                     "waveflow_batch_size_bucket", "http_requests_received_total" })
            Assert.Contains(series, metrics);
    }
}
