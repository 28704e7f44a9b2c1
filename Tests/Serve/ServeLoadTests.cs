using System.Net;
using WaveFlow.Serve;

namespace WaveFlow.Tests.Serve;

/// <summary>The bounded queue, and a client that goes away, on a real Kestrel at a loopback port.</summary>
public sealed class ServeLoadTests
{
    [Fact]
    public async Task BeyondTheQueue_Is503WithRetryAfter_AndTheSlotFreesAfterwards()
    {
        await using var server = await ServeHarness.StartAsync(new ServeSettings { Models = [], MaxQueue = 1 }, kestrel: true);
        var longMel = ServeHarness.Npy(ServeHarness.Mel(1400));
        // The first request holds the only place: its client reads the headers and then nothing.
        using var first = await server.Client.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/v1/synthesize?seed=1") { Content = ServeHarness.Body(longMel) },
            HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        using var second = await server.Synthesize(ServeHarness.Npy(ServeHarness.Mel(30)), "");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, second.StatusCode);
        Assert.True(second.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1));
        Assert.Contains("--max-queue", await ServeHarness.ErrorOf(second));
        first.Dispose();                                      // the client goes away
        await WaitFor(async () => await server.Metric("waveflow_queue_length") == 0);
        using var third = await server.Synthesize(ServeHarness.Npy(ServeHarness.Mel(30)), "");
        Assert.Equal(HttpStatusCode.OK, third.StatusCode);
    }

    [Fact]
    public async Task ClientThatDisconnects_CancelsItsSynthesis()
    {
        await using var server = await ServeHarness.StartAsync(kestrel: true);
        // 4,000 frames: 32 chunks of 128. Read the first bytes, then hang up.
        using (var response = await server.Client.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/v1/synthesize?seed=1") { Content = ServeHarness.Body(ServeHarness.Npy(ServeHarness.Mel(4000))) },
                   HttpCompletionOption.ResponseHeadersRead))
        {
            Assert.True(response.Headers.TransferEncodingChunked);   // streamed as made, not buffered
            using var stream = await response.Content.ReadAsStreamAsync();
            var buffer = new byte[4096];
            Assert.True(await stream.ReadAsync(buffer) > 0);
        }
        await WaitFor(async () => await server.Metric("waveflow_request_errors_total{reason=\"client_closed\"}") == 1);
        await WaitFor(async () => await server.Metric("waveflow_queue_length") == 0);
        // The chunk in progress when the client left may still finish; after it, nothing.
        double chunks;
        do
        {
            chunks = await server.Metric("waveflow_batch_size_sum{model=\"small\"}");
            await Task.Delay(1000);
        }
        while (chunks != await server.Metric("waveflow_batch_size_sum{model=\"small\"}"));
        // Until the client's socket closes the server writes into TCP buffers (a few hundred KB:
        // ~65 KB per 128-frame chunk of wav16), so a few chunks go out after the client stopped reading.
        Assert.True(chunks <= 16, $"{chunks} of 32 chunks computed for a client that left after the first");
    }

    private static async Task WaitFor(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met within 60 s");
            await Task.Delay(50);
        }
    }
}
