namespace WaveFlow.Evaluation.Listening;

/// <summary>One blind A/B question: the same clip from two systems, <see cref="Left"/> played as "A".</summary>
internal sealed record AbPair(string Id, string Clip, string Left, string Right);
