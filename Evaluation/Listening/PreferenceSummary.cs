using WaveFlow.Core;

namespace WaveFlow.Evaluation.Listening;

/// <summary>Pools the answers of several listeners (several exported results files) per system pair.</summary>
internal static class PreferenceSummary
{
    /// <param name="files">(path, results) of each listener's file; the path only names errors.</param>
    public static IReadOnlyList<PairPreference> Aggregate(IEnumerable<(string Path, ListeningResults Results)> files)
    {
        var counts = new SortedDictionary<(string A, string B), (int WinsA, int WinsB, int Ties, HashSet<string> Listeners)>();
        var exports = new Dictionary<string, string>();
        foreach (var (path, results) in files)
        {
            // The same export passed twice would count one listener double: refuse it.
            var identity = $"{results.ReportId}\n{results.Listener}\n{results.ExportedAt}";
            if (exports.TryGetValue(identity, out var first))
                throw WaveFlowException.ForFile(path, $"same export as {first} (report {results.ReportId}, listener \"{results.Listener}\", exported {results.ExportedAt}): each listener once");
            exports[identity] = path;
            foreach (var answer in results.Answers)
            {
                bool swap = string.CompareOrdinal(answer.Left, answer.Right) > 0;
                var key = swap ? (answer.Right, answer.Left) : (answer.Left, answer.Right);
                if (!counts.TryGetValue(key, out var c)) c = (0, 0, 0, new HashSet<string>());
                var preferred = answer.Preferred;
                if (preferred is null) c.Ties++;
                else if (preferred == key.Item1) c.WinsA++;
                else c.WinsB++;
                c.Listeners.Add(identity);
                counts[key] = c;
            }
        }
        return counts.Select(kv => new PairPreference(kv.Key.A, kv.Key.B, kv.Value.WinsA, kv.Value.WinsB, kv.Value.Ties, kv.Value.Listeners.Count)).ToList();
    }
}
