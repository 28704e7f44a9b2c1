namespace WaveFlow.Core.Serialization.PyTorch;

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
