using System.Diagnostics;
using System.Globalization;
using Microsoft.AspNetCore.Http;
using WaveFlow.Core;

namespace WaveFlow.Serve;

/// <summary>
/// <c>POST /v1/synthesize</c>: checks the query and the mel, takes a place in the bounded queue,
/// hands the synthesis to the model's <see cref="ChunkBatcher"/> and streams the WAV as its
/// chunks are made (chunked transfer: the header and the first chunk's samples go out as soon as
/// that chunk is computed). Refusals are JSON with 400/401/413/503 before any audio; a client
/// that goes away cancels its synthesis at the next chunk.
/// </summary>
internal sealed class SynthesizeEndpoint(ServeState state)
{
    public async Task Handle(HttpContext context)
    {
        long start = Stopwatch.GetTimestamp();
        var token = context.RequestAborted;
        var metrics = state.Metrics;
        string modelName = "-";
        bool admitted = false, started = false;
        ServedModel? model = null;
        SynthesisJob? job = null;
        try
        {
            if (state.ApiKey is { } key && !key.Allows(context.Request))
            {
                context.Response.Headers.WWWAuthenticate = "Bearer";
                throw new ApiError(StatusCodes.Status401Unauthorized, "missing or wrong API key (Authorization: Bearer KEY or X-API-Key: KEY)", "unauthorized");
            }
            if (state.Stopping) throw new ApiError(StatusCodes.Status503ServiceUnavailable, "the server is stopping", "stopping") { RetryAfterSeconds = state.RetryAfterSeconds };
            var query = SynthesisQuery.Parse(context.Request.Query);
            model = state.Find(query.Model);
            modelName = model.Name;
            var vocoder = model.Vocoder;
            long maxBytes = MelBody.MaxBytes(vocoder.MelChannels, model.MaxFrames);
            if (context.Request.ContentLength is { } declared && declared > maxBytes)
                throw new ApiError(StatusCodes.Status413PayloadTooLarge, $"{MelBody.Source}: {declared} bytes, the limit is {maxBytes} (--max-seconds {state.Settings.MaxSeconds.ToString(CultureInfo.InvariantCulture)})", "too_large");
            if (!state.Admission.TryEnter())
                throw new ApiError(StatusCodes.Status503ServiceUnavailable, $"busy: {state.Admission.Capacity} requests in progress (--max-queue); try again later", "queue_full") { RetryAfterSeconds = state.RetryAfterSeconds };
            admitted = true;
            metrics.Admitted.Inc();

            var mel = MelBody.Parse(await MelBody.ReadAsync(context.Request, maxBytes, token), vocoder.MelChannels);
            long frames = mel.Shape[1];
            if (frames > model.MaxFrames)
                throw new ApiError(StatusCodes.Status413PayloadTooLarge,
                    string.Create(CultureInfo.InvariantCulture, $"{MelBody.Source}: {frames} frames ask for {(double)frames * vocoder.HopLength / vocoder.SampleRate:F1} s of audio, the limit is {state.Settings.MaxSeconds} s (--max-seconds)"), "too_long");
            long seed = query.Seed ?? Random.Shared.NextInt64(0, long.MaxValue);
            long samples = frames * vocoder.HopLength;
            var wav = new WavStream(vocoder.SampleRate, query.Format);

            job = new SynthesisJob(mel, query.Sigma, seed, model.ChunkFrames);
            model.Batcher.Submit(job);
            long sent = 0;
            await foreach (var piece in job.Pieces.ReadAllAsync(token))
            {
                model.Batcher.Wake();     // room for the next piece
                if (!started)
                {
                    var response = context.Response;
                    response.StatusCode = StatusCodes.Status200OK;
                    response.ContentType = "audio/wav";
                    response.Headers["X-WaveFlow-Model"] = model.Name;
                    response.Headers["X-WaveFlow-Seed"] = seed.ToString(CultureInfo.InvariantCulture);
                    response.Headers["X-WaveFlow-Samples"] = samples.ToString(CultureInfo.InvariantCulture);
                    response.Headers["X-WaveFlow-Sample-Rate"] = vocoder.SampleRate.ToString(CultureInfo.InvariantCulture);
                    started = true;
                    await response.Body.WriteAsync(wav.Header(samples), token);
                    metrics.FirstAudio.WithLabels(model.Name).Observe(Stopwatch.GetElapsedTime(start).TotalSeconds);
                }
                await context.Response.Body.WriteAsync(wav.Payload(piece), token);
                await context.Response.Body.FlushAsync(token);
                sent += piece.Length;
            }
            if (sent != samples)
            {
                // The batcher stopped (server shutdown) before the end: never pass a short file off as whole.
                throw new OperationCanceledException("synthesis stopped before the end");
            }
            double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds, audioSeconds = (double)samples / vocoder.SampleRate;
            metrics.Latency.WithLabels(model.Name).Observe(seconds);
            metrics.RealTimeFactor.WithLabels(model.Name).Observe(seconds / audioSeconds);
            metrics.AudioSeconds.WithLabels(model.Name).Inc(audioSeconds);
            metrics.Requests.WithLabels(model.Name, "200").Inc();
            state.RecordDuration(seconds);
        }
        catch (ApiError e) when (!started)
        {
            metrics.Errors.WithLabels(e.Reason).Inc();
            metrics.Requests.WithLabels(modelName, e.Status.ToString(CultureInfo.InvariantCulture)).Inc();
            if (!token.IsCancellationRequested) await ApiError.Write(context, e.Status, e.Message, e.RetryAfterSeconds);
        }
        catch (Exception e) when (e is OperationCanceledException || token.IsCancellationRequested)
        {
            // The client went away (or the server stopped mid-stream): nothing more to send.
            metrics.Errors.WithLabels(token.IsCancellationRequested ? "client_closed" : "cancelled").Inc();
            metrics.Requests.WithLabels(modelName, "499").Inc();
            if (started || !token.IsCancellationRequested) context.Abort();
        }
        catch (Exception e)
        {
            metrics.Errors.WithLabels("internal").Inc();
            metrics.Requests.WithLabels(modelName, started ? "200" : "500").Inc();
            if (started) context.Abort();       // a truncated body must not look complete
            else await ApiError.Write(context, StatusCodes.Status500InternalServerError, e is WaveFlowException ? e.Message : $"synthesis failed ({e.GetType().Name})");
        }
        finally
        {
            if (job is not null)
            {
                job.Cancel();
                model!.Batcher.Wake();
            }
            if (admitted)
            {
                state.Admission.Exit();
                metrics.Admitted.Dec();
            }
        }
    }
}
