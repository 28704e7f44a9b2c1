using System.CommandLine;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using WaveFlow.Serve;

namespace WaveFlow.Cli.Commands;

/// <summary>
/// <c>waveflow serve --checkpoint [NAME=]CK ... [--port 8080] [--host 127.0.0.1] [--max-batch 8]
/// [--max-queue 32] [--max-seconds 60] [--chunk FRAMES] [--api-key-file F] [--shutdown-seconds 10]</c>:
/// the vocoder as an HTTP service (docs/serving.md). Models load once, before the port opens;
/// SIGTERM or Ctrl+C stops it gracefully (exit 0).
/// </summary>
internal static class ServeCommand
{
    public static Command Create()
    {
        var checkpoints = new Option<string[]>("--checkpoint", "-c") { Description = "[NAME=]checkpoint, once per model (the first is the default model)", Required = true, AllowMultipleArgumentsPerToken = false, Arity = ArgumentArity.OneOrMore };
        var config = new Option<string?>("--config") { Description = "NVIDIA config.json for checkpoints that carry no configuration" };
        var host = new Option<string>("--host") { Description = "address to listen on", DefaultValueFactory = _ => "127.0.0.1" };
        var port = new Option<int>("--port") { Description = "TCP port (0: any free port)", DefaultValueFactory = _ => 8080 };
        var maxBatch = new Option<int>("--max-batch") { Description = "chunks of different requests computed together (1 = no batching)", DefaultValueFactory = _ => 8 };
        var maxQueue = new Option<int>("--max-queue") { Description = "requests admitted at once; beyond them 503 with Retry-After", DefaultValueFactory = _ => 32 };
        var maxSeconds = new Option<double>("--max-seconds") { Description = "the most audio one request may ask for, in seconds", DefaultValueFactory = _ => 60 };
        var chunk = new Option<int?>("--chunk") { Description = "mel frames per chunk (streaming piece, batching unit); default: max(128, 4 × the model's context)" };
        var apiKeyFile = new Option<string?>("--api-key-file") { Description = "file whose first line is the API key requests must present" };
        var shutdown = new Option<double>("--shutdown-seconds") { Description = "how long a stop waits for requests in flight", DefaultValueFactory = _ => 10 };
        var command = new Command("serve", "Serve synthesis over HTTP (POST /v1/synthesize)")
            { checkpoints, config, host, port, maxBatch, maxQueue, maxSeconds, chunk, apiKeyFile, shutdown };
        command.SetAction(result =>
        {
            var device = GlobalOptions.ResolveDevice(result);
            ConfigFiles.CheckWhole(result.GetValue(config));
            if (System.Net.IPAddress.TryParse(result.GetValue(host), out _) is false)
                throw new WaveFlow.Core.WaveFlowException($"--host {result.GetValue(host)}: not an IP address (127.0.0.1, 0.0.0.0, ::1, ...)");
            var settings = new ServeSettings
            {
                Models = result.GetValue(checkpoints)!.Select(ModelSpec.Parse).ToList(),
                ConfigPath = result.GetValue(config),
                Host = result.GetValue(host)!,
                Port = result.GetValue(port),
                MaxBatch = result.GetValue(maxBatch),
                MaxQueue = result.GetValue(maxQueue),
                MaxSeconds = result.GetValue(maxSeconds),
                ChunkFrames = result.GetValue(chunk),
                ShutdownSeconds = result.GetValue(shutdown),
                ApiKey = result.GetValue(apiKeyFile) is { } keyFile ? ServeSettings.ReadApiKey(keyFile) : null,
            };
            settings.Validate();
            using var state = ServeState.Load(settings, device, new ServeMetrics());
            using var app = ServeApp.Build(state);
            app.Start();
            var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
            foreach (var m in state.Models)
                Console.WriteLine($"model {m.Name}: {m.CheckpointFile} ({m.Vocoder.Loaded.Kind}, {m.Vocoder.Device}, {m.Vocoder.SampleRate} Hz, chunks of {m.ChunkFrames} frames)");
            Console.WriteLine($"serving on {string.Join(", ", addresses)} (max batch {settings.MaxBatch}, max queue {settings.MaxQueue}, max {settings.MaxSeconds} s per request{(settings.ApiKey is null ? "" : ", API key required")})");
            // Blocks until SIGTERM or Ctrl+C (the host's console lifetime), then stops gracefully.
            app.WaitForShutdown();
            Console.WriteLine("stopped");
            return 0;
        });
        return command;
    }
}
