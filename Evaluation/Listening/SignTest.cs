namespace WaveFlow.Evaluation.Listening;

/// <summary>
/// The exact two-sided sign test: under "no preference" every decisive answer is a fair coin,
/// so the number of wins of one system is Binomial(n, 1/2). Ties carry no information about
/// the direction and are left out before the test (the classical treatment).
/// </summary>
internal static class SignTest
{
    /// <summary>
    /// P(a result at least as far from n/2 as the observed one) = min(1, 2·P(X ≤ min(wins, losses))).
    /// Returns 1 when there are no decisive answers.
    /// </summary>
    public static double TwoSidedP(int wins, int losses)
    {
        if (wins < 0 || losses < 0) throw new ArgumentOutOfRangeException(nameof(wins), "counts must be non-negative");
        int n = wins + losses;
        if (n == 0) return 1.0;
        int k = Math.Min(wins, losses);
        // Sum C(n,i)/2^n for i = 0..k in log space: 2^-n underflows a double beyond n ≈ 1074.
        // log C(n,i+1) = log C(n,i) + log((n-i)/(i+1)); log-sum-exp keeps the sum exact enough.
        double logTerm = -n * Math.Log(2.0); // log C(n,0)/2^n
        double max = logTerm, sum = 1.0;       // running sum of exp(term - max)
        for (int i = 0; i < k; i++)
        {
            logTerm += Math.Log((double)(n - i) / (i + 1));
            // terms grow with i for i < n/2, so each new term is the new maximum
            if (logTerm > max) { sum = sum * Math.Exp(max - logTerm) + 1.0; max = logTerm; }
            else sum += Math.Exp(logTerm - max);
        }
        double tail = Math.Exp(max + Math.Log(sum));
        return Math.Min(1.0, 2.0 * tail);
    }
}
