using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using WaveFlow.Audio;
using WaveFlow.Core;
using WaveFlow.Core.Serialization;
using WaveFlow.Serve;
using WaveFlow.Tests.Support;

namespace WaveFlow.Tests.Serve;

/// <summary>
/// A <c>waveflow serve</c> application over the shipped model, in process: on ASP.NET Core's
/// TestServer (Microsoft.AspNetCore.Mvc.Testing's in-memory host) by default, or on Kestrel at a
/// free loopback port. Also the mels the tests send, as the bytes of .npy files.
/// </summary>
internal sealed partial class ServeHarness : IAsyncDisposable
{
    public static readonly string ModelPath = Path.Combine(AppContext.BaseDirectory, "samples", "model", "waveflow-small.safetensors");
    public static readonly string MelPath = Path.Combine(AppContext.BaseDirectory, "samples", "mels", "WF002-0069.mel.npy");

    private readonly WebApplication app;

    private ServeHarness(ServeState state, WebApplication app, HttpClient client)
    {
        (State, this.app, Client) = (state, app, client);
    }

    public ServeState State { get; }
    public HttpClient Client { get; }

    /// <summary>Starts a server with <paramref name="settings"/>' limits (models: the shipped one as "small", and as "other").</summary>
    public static async Task<ServeHarness> StartAsync(ServeSettings? settings = null, bool kestrel = false)
    {
        settings ??= new ServeSettings { Models = [] };
        settings = settings with { Models = [new ModelSpec("small", ModelPath), new ModelSpec("other", ModelPath)], Port = 0 };
        var state = ServeState.Load(settings, TorchSharp.torch.CPU, new ServeMetrics());
        var app = ServeApp.Build(state, builder => { if (!kestrel) builder.WebHost.UseTestServer(); });
        await app.StartAsync();
        var client = kestrel ? new HttpClient { BaseAddress = new Uri(app.Urls.First()) } : app.GetTestClient();
        client.Timeout = TimeSpan.FromMinutes(5);
        return new ServeHarness(state, app, client);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await app.StopAsync();
        await app.DisposeAsync();
        State.Dispose();
    }

    /// <summary>The shipped sample mel [80, 308], repeated along time to <paramref name="frames"/> frames.</summary>
    public static FloatArray Mel(int frames = 308)
    {
        var mel = MelFile.Read(MelPath, 80);
        long t = mel.Shape[1];
        var data = new float[80 * frames];
        for (int c = 0; c < 80; c++)
            for (int f = 0; f < frames; f++) data[c * frames + f] = mel.Data[c * t + f % t];
        return new FloatArray(data, [80, frames]);
    }

    /// <summary>The .npy bytes of <paramref name="mel"/> (float16 when <paramref name="half"/>).</summary>
    public static byte[] Npy(FloatArray mel, bool half = false)
    {
        using var tmp = new TempDir();
        NpyFile.Write(tmp["m.npy"], mel.Data, mel.Shape, half);
        return File.ReadAllBytes(tmp["m.npy"]);
    }

    public static ByteArrayContent Body(byte[] bytes)
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new("application/octet-stream");
        return content;
    }

    /// <summary>POSTs a mel to /v1/synthesize with <paramref name="query"/>.</summary>
    public Task<HttpResponseMessage> Synthesize(byte[] body, string query, CancellationToken cancellationToken = default) =>
        Client.PostAsync("/v1/synthesize?" + query, Body(body), cancellationToken);

    /// <summary>The value of a metric line of GET /metrics (e.g. <c>waveflow_batch_size_sum{model="small"}</c>), 0 when absent.</summary>
    public async Task<double> Metric(string series)
    {
        var text = await Client.GetStringAsync("/metrics");
        foreach (var line in text.Split('\n'))
            if (line.StartsWith(series + " ", StringComparison.Ordinal))
                return double.Parse(line[(series.Length + 1)..], CultureInfo.InvariantCulture);
        return 0;
    }

    /// <summary>A JSON error body: one line, {"error": "..."}.</summary>
    public static async Task<string> ErrorOf(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Single(text.TrimEnd('\n').Split('\n'));
        var match = ErrorJson().Match(text);
        Assert.True(match.Success, text);
        return System.Text.Json.JsonDocument.Parse(text).RootElement.GetProperty("error").GetString()!;
    }

    [GeneratedRegex("^\\{\"error\":\".*\"\\}\\n$")]
    private static partial Regex ErrorJson();
}
