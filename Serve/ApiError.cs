using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace WaveFlow.Serve;

/// <summary>
/// A request the server refuses: the HTTP status and a one-line message naming the problem,
/// sent as <c>{"error": "..."}</c>. Thrown before any audio is sent.
/// </summary>
internal sealed class ApiError(int status, string message, string reason) : Exception(message)
{
    /// <summary>JSON with quotes and non-ASCII letters as they are (the body is application/json, never HTML).</summary>
    public static readonly JsonSerializerOptions Readable = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public int Status { get; } = status;

    /// <summary>A short label for the error counter (bad_mel, too_large, ...).</summary>
    public string Reason { get; } = reason;

    /// <summary>Seconds a client should wait before trying again (503), when known.</summary>
    public int? RetryAfterSeconds { get; init; }

    public static ApiError BadRequest(string message, string reason = "bad_request") => new(StatusCodes.Status400BadRequest, message, reason);

    /// <summary>Writes <c>{"error": message}</c> (one line) with <paramref name="status"/>.</summary>
    public static Task Write(HttpContext context, int status, string message, int? retryAfterSeconds = null)
    {
        context.Response.StatusCode = status;
        if (retryAfterSeconds is { } s) context.Response.Headers.RetryAfter = s.ToString(System.Globalization.CultureInfo.InvariantCulture);
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(JsonSerializer.Serialize(new { error = OneLine(message) }, Readable) + "\n", context.RequestAborted);
    }

    private static string OneLine(string message) => string.Join(' ', message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries));
}
