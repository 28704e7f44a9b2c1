using WaveFlow.Core;

namespace WaveFlow.Onnx;

/// <summary>
/// Mel → audio through an <see cref="OnnxModel"/>: audio = graph(mel, σ·ε), NVIDIA's infer, whole
/// or in chunks with exact context (<see cref="OnnxChunk.Plan"/>), as the libtorch synthesizer does.
/// </summary>
internal sealed class OnnxSynthesizer(OnnxModel model)
{
    public OnnxModel Model => model;

    /// <summary>mel [n_mel, F] (or [1, n_mel, F]) → F·hop samples; <paramref name="noise"/>: exact ε in z's layout [n_group, F·hop/n_group].</summary>
    public float[] Synthesize(FloatArray mel, OnnxVocoderOptions options, FloatArray? noise = null)
    {
        var stream = Stream(mel, options, noise);
        if (stream.Count == 1) return stream.Next();
        var audio = new float[stream.Samples];
        long at = 0;
        while (!stream.Done)
        {
            var piece = stream.Next();
            piece.CopyTo(audio, at);
            at += piece.Length;
        }
        return audio;
    }

    /// <summary>The same synthesis piece by piece: one piece per chunk of a chunked synthesis, else one.
    /// The mel, noise and options are checked here, before any piece is computed.</summary>
    public OnnxSynthesisStream Stream(FloatArray mel, OnnxVocoderOptions options, FloatArray? noise = null)
    {
        var d = model.Description;
        long[] shape = mel.Shape.Length == 3 && mel.Shape[0] == 1 ? mel.Shape[1..] : mel.Shape;
        if (shape.Length != 2 || shape[0] != d.NMelChannels)
            throw new WaveFlowException($"mel has shape [{string.Join(", ", mel.Shape)}], the model needs [{d.NMelChannels}, frames]");
        long frames = shape[1];
        long steps = frames * d.Mel.HopLength / d.NGroup;
        if (frames < 1 || steps < 1) throw new WaveFlowException($"mel has {frames} frames, too short to synthesise");
        var z = Noise(options, noise, d.NGroup, steps);
        var plan = options.ChunkFrames > 0 && frames > options.ChunkFrames
            ? OnnxChunk.Plan(frames, steps, options.ChunkFrames, d.ContextFrames, d.Mel.HopLength, d.NGroup)
            : [new OnnxChunk(0, steps * d.NGroup, 0, frames, 0, steps, 0)];
        return new OnnxSynthesisStream(this, mel.Data, frames, z, steps, plan);
    }

    /// <summary>The audio of one chunk: the graph over its window, of which [Out0, Out1) is kept.</summary>
    internal float[] RunChunk(float[] mel, long frames, float[] z, long steps, OnnxChunk chunk)
    {
        var d = model.Description;
        long wFrames = chunk.W1 - chunk.W0, wSteps = chunk.Z1 - chunk.Z0;
        var melWindow = Rows(mel, d.NMelChannels, frames, chunk.W0, wFrames);   // [n_mel, window frames]
        var zWindow = Rows(z, d.NGroup, steps, chunk.Z0, wSteps);               // [g, window steps]
        var audio = model.Run(melWindow, wFrames, zWindow, wSteps);             // window steps · g samples
        long from = chunk.Out0 - chunk.WindowSample0, count = chunk.Out1 - chunk.Out0;
        return from == 0 && count == audio.Length ? audio : audio.AsSpan((int)from, (int)count).ToArray();
    }

    /// <summary>Columns [start, start + count) of a row-major [rows, columns] array (the whole array when it is all of it).</summary>
    private static float[] Rows(float[] data, long rows, long columns, long start, long count)
    {
        if (start == 0 && count == columns) return data;
        var window = new float[rows * count];
        for (long r = 0; r < rows; r++)
            Array.Copy(data, r * columns + start, window, r * count, count);
        return window;
    }

    /// <summary>σ·ε as [g, steps]: ε given (checked against z's layout) or drawn from the seed.</summary>
    private static float[] Noise(OnnxVocoderOptions options, FloatArray? noise, int group, long steps)
    {
        if (noise is null) return OnnxNoise.Gaussian(group * steps, options.Sigma, options.Seed);
        long[] shape = noise.Shape.Length == 3 && noise.Shape[0] == 1 ? noise.Shape[1..] : noise.Shape;
        if (shape.Length != 2 || shape[0] != group || shape[1] != steps)
            throw new WaveFlowException($"noise has shape [{string.Join(", ", noise.Shape)}], this mel needs [{group}, {steps}] (z's layout: [n_group, frames·hop/n_group])");
        var z = new float[noise.Data.Length];
        for (int i = 0; i < z.Length; i++) z[i] = noise.Data[i] * options.Sigma;
        return z;
    }
}
