namespace WaveFlow.Training.Data;

/// <summary>What a derived stream is for; part of its key so purposes never share numbers.</summary>
internal static class Purpose
{
    public const long Split = 1, Order = 2, Crop = 3, Validation = 4, Init = 5;
}
