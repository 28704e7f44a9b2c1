using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace WaveFlow.Tests.Evaluation;

/// <summary>
/// A minimal Chrome DevTools Protocol client over one WebSocket: numbered commands answered by id,
/// and events kept so a test can wait for one. Flat sessions: page commands carry a sessionId.
/// </summary>
sealed class CdpClient : IAsyncDisposable
{
    readonly ClientWebSocket socket = new();
    readonly ConcurrentDictionary<int, TaskCompletionSource<JsonElement>> pending = new();
    readonly List<(string Method, JsonElement Params)> events = [];
    readonly SemaphoreSlim sendLock = new(1, 1);
    readonly CancellationTokenSource stop = new();
    Task? receiver;
    int nextId;

    public static async Task<CdpClient> ConnectAsync(Uri uri, TimeSpan timeout)
    {
        var client = new CdpClient();
        using var cts = new CancellationTokenSource(timeout);
        await client.socket.ConnectAsync(uri, cts.Token);
        client.receiver = Task.Run(client.ReceiveLoop);
        return client;
    }

    public async Task<JsonElement> SendAsync(string method, JsonObject? parameters = null, string? sessionId = null, double timeoutSeconds = 60)
    {
        int id = Interlocked.Increment(ref nextId);
        var message = new JsonObject { ["id"] = id, ["method"] = method, ["params"] = parameters ?? new JsonObject() };
        if (sessionId is not null) message["sessionId"] = sessionId;
        var tcs = new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
        pending[id] = tcs;
        var bytes = Encoding.UTF8.GetBytes(message.ToJsonString());
        await sendLock.WaitAsync();
        try { await socket.SendAsync(bytes, WebSocketMessageType.Text, true, stop.Token); }
        finally { sendLock.Release(); }
        var done = await Task.WhenAny(tcs.Task, Task.Delay(TimeSpan.FromSeconds(timeoutSeconds)));
        if (done != tcs.Task) throw new TimeoutException($"DevTools command {method} got no answer in {timeoutSeconds} s");
        return await tcs.Task;
    }

    /// <summary>Evaluates an expression in the page (awaiting a returned promise) and returns its value.</summary>
    public async Task<JsonElement> EvaluateAsync(string sessionId, string expression, double timeoutSeconds = 60)
    {
        var result = await SendAsync("Runtime.evaluate", new JsonObject
        {
            ["expression"] = expression,
            ["awaitPromise"] = true,
            ["returnByValue"] = true,
            ["userGesture"] = true, // as if the user clicked: media may play without an autoplay exemption
        }, sessionId, timeoutSeconds);
        if (result.TryGetProperty("exceptionDetails", out var ex))
            throw new InvalidOperationException($"page script failed: {ex}");
        var value = result.GetProperty("result");
        return value.TryGetProperty("value", out var v) ? v.Clone() : default;
    }

    /// <summary>Waits for an event (already received or still to come) that matches.</summary>
    public async Task<JsonElement> WaitForEventAsync(string method, Func<JsonElement, bool> match, double timeoutSeconds)
    {
        var deadline = DateTime.UtcNow.AddSeconds(timeoutSeconds);
        while (DateTime.UtcNow < deadline)
        {
            lock (events)
                foreach (var e in events)
                    if (e.Method == method && match(e.Params)) return e.Params;
            await Task.Delay(50);
        }
        throw new TimeoutException($"no DevTools event {method} in {timeoutSeconds} s");
    }

    async Task ReceiveLoop()
    {
        var buffer = new byte[1 << 16];
        var message = new MemoryStream();
        try
        {
            while (socket.State == WebSocketState.Open && !stop.IsCancellationRequested)
            {
                var r = await socket.ReceiveAsync(buffer, stop.Token);
                if (r.MessageType == WebSocketMessageType.Close) break;
                message.Write(buffer, 0, r.Count);
                if (!r.EndOfMessage) continue;
                using var doc = JsonDocument.Parse(message.ToArray());
                message.SetLength(0);
                var root = doc.RootElement;
                if (root.TryGetProperty("id", out var idEl) && pending.TryRemove(idEl.GetInt32(), out var tcs))
                {
                    if (root.TryGetProperty("error", out var err)) tcs.SetException(new InvalidOperationException($"DevTools error: {err}"));
                    else tcs.SetResult(root.GetProperty("result").Clone());
                }
                else if (root.TryGetProperty("method", out var m))
                {
                    var p = root.TryGetProperty("params", out var pe) ? pe.Clone() : default;
                    lock (events) events.Add((m.GetString()!, p));
                }
            }
        }
        catch (OperationCanceledException) { }
        catch (WebSocketException) { }
        foreach (var t in pending.Values) t.TrySetException(new InvalidOperationException("DevTools connection closed"));
    }

    public async ValueTask DisposeAsync()
    {
        stop.Cancel();
        try { if (socket.State == WebSocketState.Open) await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None); }
        catch (WebSocketException) { }
        if (receiver is not null) await Task.WhenAny(receiver, Task.Delay(2000));
        socket.Dispose();
        stop.Dispose();
    }
}
