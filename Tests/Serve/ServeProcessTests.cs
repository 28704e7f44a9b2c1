using System.Diagnostics;
using System.Net;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using WaveFlow.Audio.Wav;

namespace WaveFlow.Tests.Serve;

/// <summary>
/// <c>waveflow serve</c> as a process on a loopback port, stopped with SIGTERM: it stops
/// accepting, finishes requests in flight within --shutdown-seconds or cuts them at that bound,
/// and exits 0.
/// </summary>
public sealed partial class ServeProcessTests
{
    private const int SigTerm = 15;

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int sig);

    private static string Dotnet => Environment.ProcessPath is { } p && Path.GetFileNameWithoutExtension(p) == "dotnet" ? p : "dotnet";

    /// <summary>Starts the server and returns it with its address (read from its "serving on" line).</summary>
    private static async Task<(Process Process, Uri Url)> Start(double shutdownSeconds)
    {
        var psi = new ProcessStartInfo(Dotnet) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "waveflow.dll"), "serve", "--checkpoint", "small=" + ServeHarness.ModelPath,
                     "--port", "0", "--device", "cpu", "--shutdown-seconds", shutdownSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture) })
            psi.ArgumentList.Add(a);
        var process = Process.Start(psi)!;
        _ = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        while (await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
        {
            if (ServingOn().Match(line) is { Success: true } m)
            {
                _ = process.StandardOutput.ReadToEndAsync();
                return (process, new Uri(m.Groups[1].Value));
            }
        }
        throw new InvalidOperationException($"waveflow serve ended before serving (exit {process.ExitCode})");
    }

    [SkippableFact]
    public async Task Sigterm_FinishesTheRequestInFlight_RefusesNewOnes_AndExits0()
    {
        Skip.If(OperatingSystem.IsWindows(), "SIGTERM is a POSIX signal");
        var (process, url) = await Start(shutdownSeconds: 60);
        using var _ = process;
        using var client = new HttpClient { BaseAddress = url, Timeout = TimeSpan.FromMinutes(3) };
        var mel = ServeHarness.Npy(ServeHarness.Mel(900));       // 8 chunks, a few seconds of work
        using var response = await client.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/v1/synthesize?seed=5&format=wav32f") { Content = ServeHarness.Body(mel) },
            HttpCompletionOption.ResponseHeadersRead);            // the first chunk is out: in flight
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(0, kill(process.Id, SigTerm));
        var body = await response.Content.ReadAsByteArrayAsync();
        Assert.Equal(900 * 256, WavFile.Parse(body, "response").Samples.Length);   // finished, whole
        Assert.True(process.WaitForExit(TimeSpan.FromSeconds(60)), "still running 60 s after SIGTERM and its last request");
        Assert.Equal(0, process.ExitCode);
        await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync("/healthz"));   // no longer listening
    }

    [SkippableFact]
    public async Task Sigterm_CutsWorkBeyondTheShutdownBound_AndExits0()
    {
        Skip.If(OperatingSystem.IsWindows(), "SIGTERM is a POSIX signal");
        var (process, url) = await Start(shutdownSeconds: 1);
        using var _ = process;
        using var client = new HttpClient { BaseAddress = url, Timeout = TimeSpan.FromMinutes(3) };
        var mel = ServeHarness.Npy(ServeHarness.Mel(5000));      // 58 s of audio: far more work than the bound
        using var response = await client.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/v1/synthesize?seed=5") { Content = ServeHarness.Body(mel) },
            HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var watch = Stopwatch.StartNew();
        Assert.Equal(0, kill(process.Id, SigTerm));
        Assert.True(process.WaitForExit(TimeSpan.FromSeconds(30)), "still running 30 s after SIGTERM with a 1 s bound");
        Assert.Equal(0, process.ExitCode);
        // The cut response is not passed off as whole: reading it fails or ends short.
        try
        {
            var body = await response.Content.ReadAsByteArrayAsync();
            Assert.True(body.Length < 5000 * 256 * 2, $"{body.Length} bytes: the whole file after a stop 1 s into its synthesis");
        }
        catch (Exception e) when (e is HttpRequestException or IOException) { }
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(30));
    }

    [GeneratedRegex(@"^serving on (http://[^ ,]+)")]
    private static partial Regex ServingOn();
}
