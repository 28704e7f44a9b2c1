using System.Text.Json;
using System.Text.Json.Serialization;
using WaveFlow.Core;
using WaveFlow.Core.Json;

namespace WaveFlow.Evaluation.Listening;

/// <summary>What one listener exported from a report page (format <c>waveflow-ab-results</c>, version 1).</summary>
internal sealed record ListeningResults(
    [property: JsonPropertyName("format")] string Format,
    [property: JsonPropertyName("version")] int Version,
    [property: JsonPropertyName("reportId")] string ReportId,
    [property: JsonPropertyName("listener")] string? Listener,
    [property: JsonPropertyName("exportedAt")] string? ExportedAt,
    [property: JsonPropertyName("pairs")] int Pairs,
    [property: JsonPropertyName("answers")] IReadOnlyList<ListeningAnswer> Answers)
{
    public const string FormatName = "waveflow-ab-results";
    public static readonly string[] Choices = ["left", "right", "none"];

    /// <summary>Reads and checks one exported results file; every problem names the file.</summary>
    public static ListeningResults Read(string path)
    {
        if (!File.Exists(path)) throw WaveFlowException.ForFile(path, "not found");
        var results = StrictJson.Load<ListeningResults>(path);
        results.Check(path);
        return results;
    }

    /// <summary>Reads and checks the text of a results file; every problem names <paramref name="path"/>.</summary>
    public static ListeningResults Parse(string json, string path)
    {
        var results = StrictJson.Parse<ListeningResults>(json, path);
        results.Check(path);
        return results;
    }

    void Check(string path)
    {
        if (Format != FormatName) throw WaveFlowException.ForFile(path, $"format is \"{Format}\", expected \"{FormatName}\" (a file exported by a waveflow compare report)");
        if (Version != 1) throw WaveFlowException.ForFile(path, $"version {Version} is not supported (only 1)");
        if (Answers is null) throw WaveFlowException.ForFile(path, "no \"answers\" array");
        var seen = new HashSet<string>();
        for (int i = 0; i < Answers.Count; i++)
        {
            var a = Answers[i];
            if (a is null || string.IsNullOrEmpty(a.Pair) || string.IsNullOrEmpty(a.Left) || string.IsNullOrEmpty(a.Right))
                throw WaveFlowException.ForFile(path, $"answers[{i}] lacks pair, left or right");
            if (!Choices.Contains(a.Choice)) throw WaveFlowException.ForFile(path, $"answers[{i}] (pair {a.Pair}): choice \"{a.Choice}\" is not left, right or none");
            if (a.Left == a.Right) throw WaveFlowException.ForFile(path, $"answers[{i}] (pair {a.Pair}): compares {a.Left} with itself");
            if (!seen.Add(a.Pair)) throw WaveFlowException.ForFile(path, $"answers[{i}]: pair {a.Pair} answered twice");
        }
    }

    /// <summary>Serialises in the same shape the page exports (used by tests and tools).</summary>
    public string ToJson() => JsonSerializer.Serialize(this, new JsonSerializerOptions { WriteIndented = true });
}
