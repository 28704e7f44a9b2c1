namespace WaveFlow.Evaluation.Report;

/// <summary>
/// The report page's static parts, embedded resource files under <c>Report/Resources/</c>, read once:
/// <list type="bullet">
/// <item><c>report.html</c>: the page, no network. <see cref="ReportPage"/> fills its <c>{{...}}</c>
/// placeholders; <c>{{DATA}}</c> is the JSON the script renders the blind test from.</item>
/// <item><c>report.css</c>: inlined at <c>{{STYLE}}</c>.</item>
/// <item><c>report.js</c>: inlined at <c>{{SCRIPT}}</c>. It builds the blind A/B questions from the
/// data, records answers and play counts, and exports them. The id → system key travels XOR-scrambled
/// with the report id and base64-encoded, so the page never displays it and it cannot be read at a
/// glance in the page source; it is decoded only when results are exported (this keeps honest
/// listeners blind; it is not a secret from someone who wants to cheat). The script exposes
/// <c>window.waveflowResults()</c> and mirrors the results into <c>#waveflow-results</c>, so a browser
/// driven by a test can read them without a download.</item>
/// </list>
/// </summary>
internal static class ReportResources
{
    private static readonly Lazy<string> LazyTemplate = new(() =>
        Read("report.html").Replace("{{STYLE}}", Read("report.css")).Replace("{{SCRIPT}}", Read("report.js")));

    /// <summary>The page with its style and script in place and the data placeholders still to fill.</summary>
    public static string Template => LazyTemplate.Value;

    /// <summary>One resource's text; the file's final newline is dropped (the placeholders sit on lines of their own).</summary>
    internal static string Read(string name)
    {
        string logical = $"{typeof(ReportResources).Namespace}.Resources.{name}";
        using var stream = typeof(ReportResources).Assembly.GetManifestResourceStream(logical)
            ?? throw new InvalidOperationException($"embedded resource {logical} is missing from {typeof(ReportResources).Assembly.GetName().Name}");
        using var reader = new StreamReader(stream);
        string text = reader.ReadToEnd().ReplaceLineEndings("\n");
        return text.EndsWith('\n') ? text[..^1] : text;
    }
}
