namespace WaveFlow.Core.Serialization.PyTorch;

/// <summary>A Python set (its items in pickle order).</summary>
internal sealed class PickleSet
{
    public List<object?> Items { get; } = [];
}
