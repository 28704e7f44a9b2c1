namespace WaveFlow.Tests.Support;

/// <summary>Paths of the reference fixtures copied from NVIDIA's code into Tests/Fixtures.</summary>
public static class Fixture
{
    public static string Root => Path.Combine(AppContext.BaseDirectory, "Fixtures");
    public static string Path_(params string[] parts) => Path.Combine([Root, .. parts]);

    /// <summary>||a − b|| / ||b||, in double precision.</summary>
    public static double RelativeL2(ReadOnlySpan<float> actual, ReadOnlySpan<float> reference)
    {
        if (actual.Length != reference.Length) throw new ArgumentException($"lengths differ: {actual.Length} vs {reference.Length}");
        double num = 0, den = 0;
        for (int i = 0; i < actual.Length; i++) { double d = actual[i] - reference[i]; num += d * d; den += (double)reference[i] * reference[i]; }
        return Math.Sqrt(num / den);
    }
}
