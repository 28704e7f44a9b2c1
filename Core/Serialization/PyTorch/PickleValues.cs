namespace WaveFlow.Core.Serialization.PyTorch;

// The plain data a restricted unpickler produces. Python values map to:
//   None → null, bool → bool, int → long (or BigInteger when it does not fit), float → double,
//   str → string, bytes → byte[], tuple → object?[], list → List<object?>,
//   dict / OrderedDict → PickleDict, set → PickleSet, an allowed class → PickleClass,
//   an instance of an allowed class → PickleObject (class name + constructor args + state),
//   a tensor → FloatArray (after PyTorchFile has read the storages).

/// <summary>A reference to an allowed Python class or function ("module.name"), never resolved to code.</summary>
internal sealed record PickleClass(string Module, string Name)
{
    public string FullName => $"{Module}.{Name}";
    public override string ToString() => FullName;
}

/// <summary>
/// An instance of an allowed class, kept as data: its class, the arguments it was created with
/// and the state that BUILD gave it (for torch modules: the instance's <c>__dict__</c>).
/// </summary>
internal sealed class PickleObject(string className, object?[] args)
{
    public string ClassName { get; } = className;
    public object?[] Args { get; } = args;
    /// <summary>The BUILD state: usually a <see cref="PickleDict"/> of attributes.</summary>
    public object? State { get; internal set; }

    /// <summary>An attribute from the state dict, or null when absent.</summary>
    public object? Attribute(string name) => State is PickleDict d && d.TryGet(name, out var v) ? v : null;

    public override string ToString() => $"<{ClassName} object>";
}

/// <summary>A Python set (its items in pickle order).</summary>
internal sealed class PickleSet
{
    public List<object?> Items { get; } = [];
}

/// <summary>
/// A Python dict or OrderedDict: insertion-ordered, keys compared as Python would
/// (strings, integers, tuples). <see cref="ClassName"/> is "dict" or "collections.OrderedDict".
/// </summary>
internal sealed class PickleDict : IEnumerable<KeyValuePair<object, object?>>
{
    private readonly List<KeyValuePair<object, object?>> _entries = [];
    private readonly Dictionary<object, int> _index = new(PickleKeyComparer.Instance);

    public PickleDict(string className = "dict") => ClassName = className;

    public string ClassName { get; }
    /// <summary>Attributes set by BUILD on a dict subclass (torch stores a state dict's <c>_metadata</c> there).</summary>
    public object? State { get; internal set; }
    public int Count => _entries.Count;
    public IEnumerable<object> Keys => _entries.Select(e => e.Key);

    public object? this[object key]
    {
        get => TryGet(key, out var v) ? v : throw new KeyNotFoundException(key.ToString());
        set
        {
            if (_index.TryGetValue(key, out int i)) _entries[i] = new(key, value);
            else { _index[key] = _entries.Count; _entries.Add(new(key, value)); }
        }
    }

    public bool TryGet(object key, out object? value)
    {
        if (_index.TryGetValue(key, out int i)) { value = _entries[i].Value; return true; }
        value = null;
        return false;
    }

    public bool ContainsKey(object key) => _index.ContainsKey(key);

    /// <summary>Replaces a value in place (used when tensors are materialised after the storages are read).</summary>
    internal void ReplaceAt(int position, object? value) => _entries[position] = new(_entries[position].Key, value);

    public IEnumerator<KeyValuePair<object, object?>> GetEnumerator() => _entries.GetEnumerator();
    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}

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
