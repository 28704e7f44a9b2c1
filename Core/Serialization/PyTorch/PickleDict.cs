namespace WaveFlow.Core.Serialization.PyTorch;

// The plain data a restricted unpickler produces. Python values map to:
//   None → null, bool → bool, int → long (or BigInteger when it does not fit), float → double,
//   str → string, bytes → byte[], tuple → object?[], list → List<object?>,
//   dict / OrderedDict → PickleDict, set → PickleSet, an allowed class → PickleClass,
//   an instance of an allowed class → PickleObject (class name + constructor args + state),
//   a tensor → FloatArray (after PyTorchFile has read the storages).

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
