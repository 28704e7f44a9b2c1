using TorchSharp;
using WaveFlow.Vocoder;
using WaveFlow.Vocoder.Checkpoints;
using static TorchSharp.torch;

namespace WaveFlow.Evaluation.Comparison;

/// <summary>
/// A loaded WaveGlow-style model as a system under comparison. The noise comes from the seed, so two
/// models with the same n_group get identical eps for the same clip.
/// </summary>
internal sealed class ModelRenderer : IClipRenderer
{
    readonly LoadedModel loaded;
    readonly Synthesizer synthesizer;
    readonly double sigma;

    public SystemInfo Info { get; }

    /// <summary>The model being compared and where it came from.</summary>
    public LoadedModel Loaded => loaded;
    public bool Timed => true;

    /// <summary>Takes ownership of <paramref name="synthesizer"/> (disposed with the renderer).</summary>
    public ModelRenderer(string name, string checkpointPath, Synthesizer synthesizer, double sigma)
    {
        this.synthesizer = synthesizer;
        loaded = synthesizer.Loaded;
        this.sigma = sigma;
        Info = new SystemInfo(name, SystemKind.Model, Structure(loaded.Options),
            synthesizer.TrainedParameterCount, new FileInfo(checkpointPath).Length,
            Path.GetFileName(checkpointPath), loaded.Kind);
    }

    /// <summary>The block structure a reader compares, flow design included (coupling, channel mixing, prior scale).</summary>
    public static ModelStructure Structure(WaveGlowOptions o) => new(
        o.NMelChannels, o.NFlows, o.NGroup, o.NEarlyEvery, o.NEarlySize,
        o.WN.NLayers, o.WN.NChannels, o.WN.KernelSize, o.Coupling,
        o.Permutation == Permutations.Shuffle ? $"{o.Permutation} (seed {o.PermutationSeed})" : o.Permutation,
        o.PriorScale);

    public float[] Render(InputClip clip, long seed) =>
        synthesizer.Synthesize(clip.Mel, new SynthesisOptions(Sigma: (float)sigma, Seed: seed));

    /// <summary>
    /// NVIDIA's training loss on the recording at sigma 1 (the prior the models were trained with),
    /// per sample: −log p(x) up to the constant ½·log(2π) per sample.
    /// </summary>
    public double? Nll(InputClip clip) =>
        clip.Audio is null ? null : AudioEncoder.Encode(loaded.Model, clip.Audio, clip.Mel).Loss;

    public void Dispose() => synthesizer.Dispose();   // and with it the model
}
