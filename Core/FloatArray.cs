namespace WaveFlow.Core;

/// <summary>A dense little-endian float array with its shape, as stored in .npy/.safetensors.</summary>
internal sealed record FloatArray(float[] Data, long[] Shape)
{
    public long Count => Shape.Aggregate(1L, (a, b) => a * b);
}
