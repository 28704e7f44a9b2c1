using TorchSharp;
using WaveFlow.Training.Config;
using WaveFlow.Vocoder;
using WaveFlow.Vocoder.Synthesis;
using static TorchSharp.torch;

namespace WaveFlow.Evaluation.Benchmarks;

/// <summary>What <c>waveflow bench</c> measures.</summary>
internal sealed record BenchSettings
{
    /// <summary>Audio lengths to synthesise (one row each).</summary>
    public IReadOnlyList<double> Seconds { get; init; } = [10];
    public int SynthesisBatch { get; init; } = 1;
    public Precision Precision { get; init; } = Precision.Fp32;
    public int WarmUp { get; init; } = 1;
    public int Repeats { get; init; } = 5;
    /// <summary>Also time chunked synthesis with chunks of this many frames (null: not).</summary>
    public int? ChunkFrames { get; init; }
    /// <summary>Skip whole-utterance synthesis (e.g. to show chunked memory on long audio alone).</summary>
    public bool ChunkedOnly { get; init; }
    /// <summary>Also time the model with weight norm left unfolded (the before of the folding).</summary>
    public bool CompareUnfolded { get; init; }
    /// <summary>Also time every flow's conditioning computed as one matrix product.</summary>
    public bool CompareFusedConditioning { get; init; }
    public bool Train { get; init; }
    public int TrainBatch { get; init; } = 12;
    public int TrainSegment { get; init; } = 16000;
    /// <summary>The config's train_config (sigma, clip threshold, learning rate); NVIDIA's defaults when null.</summary>
    public TrainOptions? TrainConfig { get; init; }
    /// <summary>Skip the synthesis rows (training only).</summary>
    public bool NoSynthesis { get; init; }
    /// <summary>Time one WN layer's operations (<see cref="LayerBenchmark"/>) in fp32 and, when it is another, the
    /// chosen precision, instead of synthesis and training.</summary>
    public bool Layers { get; init; }
}
