namespace WaveFlow.Core.Serialization.PyTorch;

/// <summary>A reference to an allowed Python class or function ("module.name"), never resolved to code.</summary>
internal sealed record PickleClass(string Module, string Name)
{
    public string FullName => $"{Module}.{Name}";
    public override string ToString() => FullName;
}
