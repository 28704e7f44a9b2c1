namespace WaveFlow.Evaluation.Listening;

/// <summary>
/// The blind listening test's questions: every unordered pair of systems on every clip that both
/// rendered, in a seeded random order with a seeded coin for which side each system is on.
/// The same seed gives the same test, so two listeners can be given identical pages.
/// </summary>
internal static class AbPlan
{
    public static IReadOnlyList<AbPair> Create(IReadOnlyList<string> systems, IReadOnlyList<(string Clip, string System)> rendered, int seed)
    {
        var have = rendered.ToHashSet();
        var clips = rendered.Select(r => r.Clip).Distinct().ToList();
        var questions = new List<(string Clip, string A, string B)>();
        foreach (var clip in clips)
            for (int i = 0; i < systems.Count; i++)
                for (int j = i + 1; j < systems.Count; j++)
                    if (have.Contains((clip, systems[i])) && have.Contains((clip, systems[j])))
                        questions.Add((clip, systems[i], systems[j]));

        // System.Random with a seed is a fixed algorithm across .NET versions (its seeded legacy
        // generator), so the order is reproducible. Fisher–Yates, then one coin per question.
        var rng = new Random(seed);
        for (int i = questions.Count - 1; i > 0; i--)
        {
            int k = rng.Next(i + 1);
            (questions[i], questions[k]) = (questions[k], questions[i]);
        }
        int width = Math.Max(2, questions.Count.ToString().Length);
        return questions.Select((q, i) =>
        {
            bool swap = rng.Next(2) == 1;
            return new AbPair($"p{(i + 1).ToString().PadLeft(width, '0')}", q.Clip, swap ? q.B : q.A, swap ? q.A : q.B);
        }).ToList();
    }

    /// <summary>Opaque ids for each rendered (clip, system): random hex drawn from the seed, so the page
    /// source does not spell out which audio is which system.</summary>
    public static IReadOnlyDictionary<(string Clip, string System), string> AudioIds(IReadOnlyList<(string Clip, string System)> rendered, int seed)
    {
        var rng = new Random(unchecked(seed * 7919 + 17));
        var ids = new Dictionary<(string, string), string>();
        var used = new HashSet<string>();
        foreach (var r in rendered)
        {
            string id;
            do { id = "a" + rng.NextInt64(0x1000_0000_0000L, 0xFFFF_FFFF_FFFFL).ToString("x12"); } while (!used.Add(id));
            ids[r] = id;
        }
        return ids;
    }
}
