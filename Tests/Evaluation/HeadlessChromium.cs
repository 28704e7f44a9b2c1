using System.Diagnostics;

namespace WaveFlow.Tests.Evaluation;

/// <summary>
/// Debian's chromium, started headless with remote debugging on a free port (port 0): Chromium
/// writes the chosen port and the browser's WebSocket path into DevToolsActivePort in its profile folder.
/// </summary>
sealed class HeadlessChromium : IDisposable
{
    readonly Process process;
    public string ProfileDir { get; }
    public Uri BrowserWebSocket { get; }

    /// <summary>The browser binary, or null: /usr/bin/chromium, else chromium or chromium-browser on PATH.</summary>
    public static string? Find()
    {
        if (File.Exists("/usr/bin/chromium")) return "/usr/bin/chromium";
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator))
            foreach (var name in new[] { "chromium", "chromium-browser" })
                if (dir.Length > 0 && File.Exists(Path.Combine(dir, name))) return Path.Combine(dir, name);
        return null;
    }

    HeadlessChromium(Process process, string profile, Uri ws) { this.process = process; ProfileDir = profile; BrowserWebSocket = ws; }

    public static HeadlessChromium Start(string binary, double timeoutSeconds = 60)
    {
        var profile = Directory.CreateTempSubdirectory("waveflow-chromium-").FullName;
        var psi = new ProcessStartInfo(binary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in new[] { "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                                  "--disable-component-update", "--no-first-run", "--remote-debugging-port=0",
                                  $"--user-data-dir={profile}", "about:blank" })
            psi.ArgumentList.Add(a);
        var process = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {binary}");
        var stderr = new System.Text.StringBuilder();
        process.ErrorDataReceived += (_, e) => { lock (stderr) stderr.AppendLine(e.Data); };
        process.OutputDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();

        var portFile = Path.Combine(profile, "DevToolsActivePort");
        var deadline = DateTime.UtcNow.AddSeconds(timeoutSeconds);
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
                throw new InvalidOperationException($"{binary} exited with {process.ExitCode} before opening DevTools: {stderr}");
            if (File.Exists(portFile))
            {
                var lines = File.ReadAllLines(portFile);
                if (lines.Length >= 2 && int.TryParse(lines[0], out int port))
                    return new HeadlessChromium(process, profile, new Uri($"ws://127.0.0.1:{port}{lines[1]}"));
            }
            Thread.Sleep(100);
        }
        try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
        throw new TimeoutException($"{binary} wrote no DevToolsActivePort in {timeoutSeconds} s: {stderr}");
    }

    public void Dispose()
    {
        try { if (!process.HasExited) process.Kill(entireProcessTree: true); process.WaitForExit(10_000); }
        catch (InvalidOperationException) { }
        process.Dispose();
        try { Directory.Delete(ProfileDir, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
