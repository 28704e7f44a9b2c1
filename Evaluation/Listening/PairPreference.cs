using WaveFlow.Core;

namespace WaveFlow.Evaluation.Listening;

/// <summary>
/// Listeners' preferences for one pair of systems, <see cref="SystemA"/> &lt; <see cref="SystemB"/> (ordinal).
/// <see cref="ShareA"/> is A's share of the decisive answers; <see cref="PValue"/> the exact two-sided
/// sign test on them (ties excluded), i.e. how surprising the split would be if nobody could hear a difference.
/// </summary>
internal sealed record PairPreference(string SystemA, string SystemB, int WinsA, int WinsB, int Ties, int Listeners)
{
    public int Decisive => WinsA + WinsB;
    public double? ShareA => Decisive == 0 ? null : (double)WinsA / Decisive;
    public double PValue => SignTest.TwoSidedP(WinsA, WinsB);
}
