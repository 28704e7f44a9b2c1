using System.Numerics;
using WaveFlow.Evaluation.Listening;

namespace WaveFlow.Tests.Evaluation;

public class SignTestTests
{
    [Theory]
    // hand-computed: 2 * sum_{i<=k} C(n,i) / 2^n
    [InlineData(10, 0, 2.0 / 1024)]
    [InlineData(8, 2, 2.0 * (1 + 10 + 45) / 1024)]      // 0.109375
    [InlineData(6, 0, 2.0 / 64)]                         // 0.03125
    [InlineData(9, 3, 2.0 * (1 + 12 + 66 + 220) / 4096)] // 0.1459961
    [InlineData(5, 5, 1.0)]                              // 2 * 638/1024 > 1: capped
    [InlineData(1, 0, 1.0)]
    [InlineData(0, 0, 1.0)]
    public void MatchesHandComputedBinomialTails(int wins, int losses, double expected)
    {
        Assert.Equal(expected, SignTest.TwoSidedP(wins, losses), 12);
        Assert.Equal(expected, SignTest.TwoSidedP(losses, wins), 12); // two-sided: symmetric
    }

    [Theory]
    [InlineData(60, 40)]
    [InlineData(600, 400)]
    [InlineData(1200, 1000)] // 2^-2200 underflows a double: the log-space sum must still be right
    [InlineData(30, 29)]
    public void MatchesExactBigIntegerArithmetic(int wins, int losses)
    {
        int n = wins + losses, k = Math.Min(wins, losses);
        BigInteger c = 1, tail = 0;
        for (int i = 0; i <= k; i++) { tail += c; c = c * (n - i) / (i + 1); }
        // p = 2 * tail / 2^n, evaluated via logs of the exact integers
        double logP = Math.Log(2) + BigInteger.Log(tail) - n * Math.Log(2);
        double expected = Math.Min(1.0, Math.Exp(logP));
        double actual = SignTest.TwoSidedP(wins, losses);
        Assert.InRange(actual, expected * (1 - 1e-9), expected * (1 + 1e-9));
    }

    [Fact]
    public void KnownReferenceValue()
    {
        // R: binom.test(60, 100)$p.value = 0.05688793
        Assert.Equal(0.05688793, SignTest.TwoSidedP(60, 40), 7);
    }
}
