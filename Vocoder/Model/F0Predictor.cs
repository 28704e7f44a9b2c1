using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace WaveFlow.Vocoder;

/// <summary>
/// Mel → F0 and voicing, frame by frame: a stack of convolutions over frames (leaky ReLU
/// between them) ending in two channels, the normalised log-F0 and the voicing logit. Users
/// hand the vocoder mels only, so a model with a harmonic source carries its own pitch.
/// </summary>
internal sealed class F0Predictor : nn.Module<Tensor, Tensor>
{
    private readonly ModuleList<SourceConv> layers;
    private readonly SourceConv output;

    public F0Predictor(int nMel, int channels, int depth, int kernelSize) : base(nameof(F0Predictor))
    {
        layers = new ModuleList<SourceConv>();
        for (int i = 0; i < depth; i++) layers.Add(new SourceConv(i == 0 ? nMel : channels, channels, kernelSize));
        output = new SourceConv(channels, 2, 1);
        RegisterComponents();
    }

    /// <summary>mel (B, n_mel, F) → (B, 2, F): [normalised log-F0, voicing logit].</summary>
    public override Tensor forward(Tensor mel)
    {
        using var scope = NewDisposeScope();
        var x = mel;
        foreach (var layer in layers) x = nn.functional.leaky_relu(layer.forward(x), 0.1);
        return output.forward(x).MoveToOuterDisposeScope();
    }
}
