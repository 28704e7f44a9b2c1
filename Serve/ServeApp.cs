using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Prometheus;

namespace WaveFlow.Serve;

/// <summary>
/// The HTTP application of <c>waveflow serve</c> over loaded models:
/// <c>POST /v1/synthesize</c>, <c>GET /v1/models</c>, <c>GET /healthz</c>, <c>GET /readyz</c>,
/// <c>GET /metrics</c>. The caller starts and stops it; a stop (SIGTERM) turns /readyz and new
/// syntheses to 503, lets requests in flight finish for --shutdown-seconds, then cancels them.
/// </summary>
internal static class ServeApp
{
    /// <param name="state">the loaded models and settings (owned by the caller)</param>
    /// <param name="configure">changes to the builder before it is built (the tests put a TestServer in place of Kestrel)</param>
    public static WebApplication Build(ServeState state, Action<WebApplicationBuilder>? configure = null)
    {
        var settings = state.Settings;
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(settings.ShutdownSeconds));
        long maxBody = state.Models.Max(m => MelBody.MaxBytes(m.Vocoder.MelChannels, m.MaxFrames));
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Parse(settings.Host), settings.Port);
            kestrel.AddServerHeader = false;
            // The endpoint counts the bytes itself (413 with a JSON reason); Kestrel's limit stops
            // a client that keeps sending beyond it.
            kestrel.Limits.MaxRequestBodySize = maxBody + 1;
        });
        configure?.Invoke(builder);
        var app = builder.Build();

        var lifetime = app.Services.GetRequiredService<IHostApplicationLifetime>();
        lifetime.ApplicationStopping.Register(() => state.Stopping = true);

        app.UseHttpMetrics(o => o.SetMetricFactory(state.Metrics.Factory));
        var synthesize = new SynthesizeEndpoint(state);
        app.MapPost("/v1/synthesize", synthesize.Handle);
        app.MapGet("/v1/models", context => Authorized(context, state, () => Json(context, 200, new { models = state.Models.Select(ModelInfo).ToList() })));
        app.MapGet("/healthz", context => Json(context, 200, new { status = "live" }));
        app.MapGet("/readyz", context => state.Stopping
            ? Json(context, 503, new { status = "stopping" })
            : Json(context, 200, new { status = "ready", models = state.Models.Select(m => m.Name).ToList() }));
        app.MapMetrics("/metrics", state.Metrics.Registry);
        return app;
    }

    /// <summary>What /v1/models says of a model: its name, audio settings, configuration and serving parameters.</summary>
    private static object ModelInfo(ServedModel m)
    {
        var o = m.Vocoder.Loaded.Options;
        var mel = m.Vocoder.MelSettings;
        return new
        {
            name = m.Name,
            checkpoint = m.CheckpointFile,
            kind = m.Vocoder.Loaded.Kind,
            sample_rate = m.Vocoder.SampleRate,
            mel_channels = m.Vocoder.MelChannels,
            hop_length = m.Vocoder.HopLength,
            filter_length = mel.FilterLength,
            device = m.Vocoder.Device,
            config = o,
            chunk_frames = m.ChunkFrames,
            context_frames = m.ContextFrames,
            max_frames = m.MaxFrames,
        };
    }

    private static Task Authorized(HttpContext context, ServeState state, Func<Task> then)
    {
        if (state.ApiKey is { } key && !key.Allows(context.Request))
        {
            context.Response.Headers.WWWAuthenticate = "Bearer";
            return ApiError.Write(context, StatusCodes.Status401Unauthorized, "missing or wrong API key (Authorization: Bearer KEY or X-API-Key: KEY)");
        }
        return then();
    }

    private static Task Json(HttpContext context, int status, object body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(JsonSerializer.Serialize(body) + "\n", context.RequestAborted);
    }
}
