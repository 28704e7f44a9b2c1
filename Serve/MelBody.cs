using Microsoft.AspNetCore.Http;
using WaveFlow.Audio;
using WaveFlow.Core;
using WaveFlow.Core.Serialization;
using WaveFlow.Core.Serialization.PyTorch;

namespace WaveFlow.Serve;

/// <summary>
/// The mel a request sends as its body: the bytes of a <c>.npy</c> file or of a <c>torch.save</c>d
/// tensor (Tacotron2's <c>.pt</c>), told apart by their first bytes, read by the same readers as
/// <c>waveflow synthesize</c> and checked the same way (shape, channels, NaN, inf). The body is
/// read into memory up to a limit and never touches the server's disk.
/// </summary>
internal static class MelBody
{
    /// <summary>Errors name the body, as a file's name would be named.</summary>
    public const string Source = "request body";

    /// <summary>Bytes beyond the samples a body may carry: the .npy header or torch.save's zip and pickle.</summary>
    public const long HeaderAllowance = 64 * 1024;

    /// <summary>The largest body for a mel of <paramref name="maxFrames"/> frames in float64, the widest type a mel file holds.</summary>
    public static long MaxBytes(int melChannels, long maxFrames) => HeaderAllowance + melChannels * maxFrames * sizeof(double);

    /// <summary>Reads the body (413 beyond <paramref name="maxBytes"/>, counting what arrives, whatever Content-Length says).</summary>
    public static async Task<byte[]> ReadAsync(HttpRequest request, long maxBytes, CancellationToken cancellationToken)
    {
        if (request.ContentLength is { } declared && declared > maxBytes) throw TooLarge(declared, maxBytes);
        using var buffer = new MemoryStream();
        var chunk = new byte[64 * 1024];
        while (true)
        {
            int n = await request.Body.ReadAsync(chunk, cancellationToken).ConfigureAwait(false);
            if (n == 0) break;
            if (buffer.Length + n > maxBytes) throw TooLarge(buffer.Length + n, maxBytes);
            buffer.Write(chunk, 0, n);
        }
        return buffer.ToArray();
    }

    /// <summary>Parses and checks the mel: [n_mel, frames] float32 with <paramref name="melChannels"/> channels, finite.</summary>
    public static FloatArray Parse(byte[] body, int melChannels)
    {
        if (body.Length == 0) throw ApiError.BadRequest($"{Source}: empty; send the mel as .npy or torch.save bytes", "bad_mel");
        FloatArray raw;
        try
        {
            raw = body[0] == 0x93 ? NpyFile.Parse(body, Source)                                  // "\x93NUMPY"
                : body[0] == (byte)'P' || body[0] == 0x80 ? PyTorchFile.ReadTensor(new MemoryStream(body, writable: false), Source)   // zip or legacy pickle
                : throw WaveFlowException.ForFile(Source, "neither a .npy file nor a torch.save tensor (.pt)");
            return MelFile.Validate(raw, Source, melChannels);
        }
        catch (WaveFlowException e) { throw ApiError.BadRequest(e.Message, "bad_mel"); }
        catch (Exception e) when (e is not OperationCanceledException and not OutOfMemoryException)
        {
            // The readers name every problem they know; anything else is damage they did not foresee.
            throw ApiError.BadRequest($"{Source}: damaged mel file ({e.GetType().Name})", "bad_mel");
        }
    }

    private static ApiError TooLarge(long bytes, long maxBytes) =>
        new(StatusCodes.Status413PayloadTooLarge, $"{Source}: {bytes} bytes or more, the limit is {maxBytes} (--max-seconds)", "too_large");
}
