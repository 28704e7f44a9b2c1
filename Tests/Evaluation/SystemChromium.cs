namespace WaveFlow.Tests.Evaluation;

/// <summary>Debian's chromium (apt-get install chromium; .ci/run installs it): no browser is downloaded.</summary>
static class SystemChromium
{
    /// <summary>The browser binary, or null: /usr/bin/chromium, else chromium or chromium-browser on PATH.</summary>
    public static string? Find()
    {
        if (File.Exists("/usr/bin/chromium")) return "/usr/bin/chromium";
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator))
            foreach (var name in new[] { "chromium", "chromium-browser" })
                if (dir.Length > 0 && File.Exists(Path.Combine(dir, name))) return Path.Combine(dir, name);
        return null;
    }
}
