using WaveFlow.Core;
using WaveFlow.Core.Serialization;
using WaveFlow.Core.Serialization.PyTorch;

namespace WaveFlow.Audio;

/// <summary>
/// Mel-spectrogram files: NumPy <c>.npy</c> (float16/32/64, any byte or axis order) and PyTorch <c>.pt</c>
/// (<c>torch.save</c> of a tensor, as Tacotron2's inference scripts write <c>mel_outputs_postnet</c>),
/// shaped <c>[n_mel, T]</c> or <c>[1, n_mel, T]</c>. Reading always returns <c>[n_mel, T]</c> float32
/// and rejects what a vocoder cannot use: wrong rank, no frames, the wrong number of mel channels, NaN or inf.
/// </summary>
internal static class MelFile
{
    /// <summary>Reads a mel file; <paramref name="expectedNMel"/> (the model's n_mel_channels) is checked when given.</summary>
    public static FloatArray Read(string path, int? expectedNMel = null)
    {
        if (!File.Exists(path)) throw WaveFlowException.ForFile(path, "file not found");
        if (new FileInfo(path).Length == 0) throw WaveFlowException.ForFile(path, "empty file");
        var raw = Path.GetExtension(path).ToLowerInvariant() switch
        {
            ".npy" => NpyFile.Read(path),
            ".pt" or ".pth" => PyTorchFile.ReadTensor(path),
            var ext => throw WaveFlowException.ForFile(path, $"unknown mel file type '{ext}' (expected .npy or .pt)"),
        };
        return Validate(raw, path, expectedNMel);
    }

    /// <summary>
    /// Checks a mel array as <see cref="Read"/> does and drops a leading batch dimension of 1.
    /// </summary>
    public static FloatArray Validate(FloatArray mel, string source, int? expectedNMel = null)
    {
        var shape = mel.Shape;
        if (shape.Length == 3)
        {
            if (shape[0] != 1) throw WaveFlowException.ForFile(source, $"holds a batch of {shape[0]} mels [{Dims(shape)}]; expected one mel [n_mel, T] or [1, n_mel, T]");
            shape = [shape[1], shape[2]];
        }
        else if (shape.Length != 2)
            throw WaveFlowException.ForFile(source, $"has shape [{Dims(shape)}] (rank {shape.Length}); expected [n_mel, T] or [1, n_mel, T]");
        long nMel = shape[0], frames = shape[1];
        if (expectedNMel is int expected && nMel != expected)
        {
            // A [T, n_mel] array is the commonest mistake (librosa users transpose); say so.
            string hint = frames == expected ? " (it looks transposed: [T, n_mel]; save it as [n_mel, T])" : "";
            throw WaveFlowException.ForFile(source, $"has {nMel} mel channels, the model expects {expected}{hint}");
        }
        if (nMel == 0) throw WaveFlowException.ForFile(source, "has 0 mel channels");
        if (frames == 0) throw WaveFlowException.ForFile(source, "has no frames (T = 0)");
        // Row-major [n_mel, T]: element (c, t) is at c*T + t. Report the earliest frame holding a bad value.
        long firstBad = long.MaxValue, badChannel = 0;
        float badValue = 0;
        var data = mel.Data;
        for (long i = 0; i < data.LongLength; i++)
        {
            if (float.IsFinite(data[i])) continue;
            long t = i % frames;
            if (t < firstBad) { firstBad = t; badChannel = i / frames; badValue = data[i]; }
        }
        if (firstBad != long.MaxValue)
            throw WaveFlowException.ForFile(source, $"contains {(float.IsNaN(badValue) ? "NaN" : badValue > 0 ? "+inf" : "-inf")} (first at frame {firstBad}, mel channel {badChannel})");
        return ReferenceEquals(shape, mel.Shape) ? mel : new FloatArray(mel.Data, shape);
    }

    /// <summary>
    /// Writes <c>[n_mel, T]</c> as <c>.npy</c> or, for <c>.pt</c>, as <c>torch.save</c> of a tensor
    /// (loadable with <c>torch.load</c>); float16 when <paramref name="half"/>. Atomic.
    /// </summary>
    public static void Write(string path, FloatArray mel, bool half = false)
    {
        if (mel.Shape.Length != 2) throw new ArgumentException($"a mel is [n_mel, T]; got [{Dims(mel.Shape)}]", nameof(mel));
        switch (Path.GetExtension(path).ToLowerInvariant())
        {
            case ".npy": NpyFile.Write(path, mel.Data, mel.Shape, half); break;
            case ".pt" or ".pth": TorchZipWriter.WriteTensor(path, mel, half); break;
            default: throw WaveFlowException.ForFile(path, $"unknown mel file type '{Path.GetExtension(path)}' (expected .npy or .pt)");
        }
    }

    private static string Dims(long[] shape) => string.Join(", ", shape);
}
