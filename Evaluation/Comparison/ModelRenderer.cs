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
    public bool Timed => true;

    public ModelRenderer(string name, string checkpointPath, LoadedModel loaded, double sigma)
    {
        this.loaded = loaded;
        this.sigma = sigma;
        // count before the synthesizer folds weight norm (g and v into one weight): the trained
        // parameters, as NVIDIA's model.parameters() counts them
        Info = new SystemInfo(name, SystemKind.Model, Structure(loaded.Options),
            loaded.Model.parameters().Sum(p => p.numel()), new FileInfo(checkpointPath).Length,
            Path.GetFileName(checkpointPath), loaded.Kind);
        synthesizer = new Synthesizer(loaded);
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

    public void Dispose()
    {
        synthesizer.Dispose();
        loaded.Model.Dispose();
    }
}
