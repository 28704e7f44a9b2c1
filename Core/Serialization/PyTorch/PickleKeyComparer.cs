namespace WaveFlow.Core.Serialization.PyTorch;

/// <summary>Python equality for dict keys: value equality for numbers and strings, element-wise for tuples.</summary>
internal sealed class PickleKeyComparer : IEqualityComparer<object>
{
    public static readonly PickleKeyComparer Instance = new();

    public new bool Equals(object? a, object? b)
    {
        if (a is object?[] ta && b is object?[] tb)
            return ta.Length == tb.Length && ta.Zip(tb).All(p => p.First is null ? p.Second is null : p.Second is not null && Equals(p.First, p.Second));
        // Python: True == 1 and hash(True) == hash(1); normalise bools to integers.
        return object.Equals(Normalise(a), Normalise(b));
    }

    public int GetHashCode(object o)
    {
        if (o is object?[] t)
        {
            var h = new HashCode();
            foreach (var x in t) h.Add(x is null ? 0 : GetHashCode(x));
            return h.ToHashCode();
        }
        return Normalise(o)?.GetHashCode() ?? 0;
    }

    private static object? Normalise(object? o) => o is bool b ? (b ? 1L : 0L) : o;
}
