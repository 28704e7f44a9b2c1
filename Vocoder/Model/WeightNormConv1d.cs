using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace WaveFlow.Vocoder;

/// <summary>
/// A Conv1d under torch.nn.utils.weight_norm(name="weight", dim=0): the weight is
/// <c>weight_g · weight_v / ||weight_v||</c>, the norm taken over every axis but the output
/// channel, so <c>weight_g</c> is (out, 1, 1) and <c>weight_v</c> is (out, in, k). TorchSharp has
/// no weight norm, hence this module. <see cref="Fold"/> replaces g and v by the plain weight
/// they describe (what NVIDIA's remove_weightnorm does before inference).
/// </summary>
internal sealed class WeightNormConv1d : nn.Module<Tensor, Tensor>
{
    private readonly long dilation;
    private readonly long padding;
    // Parameter fields are assigned again by Fold() and by Module.to() (which sets fields by name).
    private Parameter? weight_g;
    private Parameter? weight_v;
    private Parameter? weight;
    private Parameter bias;

    public WeightNormConv1d(long inChannels, long outChannels, long kernelSize = 1, long dilation = 1, long padding = 0)
        : base(nameof(WeightNormConv1d))
    {
        this.dilation = dilation;
        this.padding = padding;
        using (no_grad())
        {
            // torch.nn.Conv1d's default init (kaiming_uniform with a = sqrt(5) amounts to
            // U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for weight and bias), then weight_norm's
            // g = ||w||, v = w, so the initial weight is exactly the Conv1d one.
            double bound = 1.0 / Math.Sqrt(inChannels * kernelSize);
            var w = InitRandom.Uniform(bound, outChannels, inChannels, kernelSize);
            weight_v = new Parameter(w);
            weight_g = new Parameter(NormExceptDim0(weight_v)); // (Parameter takes over w's handle)
            bias = new Parameter(InitRandom.Uniform(bound, outChannels));
        }
        RegisterComponents();
    }

    /// <summary>True once <see cref="Fold"/> has run.</summary>
    public bool IsFolded => weight is not null;

    /// <summary>The effective weight (out, in, k) in the parameters' dtype.</summary>
    public Tensor EffectiveWeight()
    {
        if (weight is not null) return weight.alias();
        using var scope = NewDisposeScope();
        return (weight_v! * (weight_g! / NormExceptDim0(weight_v!))).MoveToOuterDisposeScope();
    }

    /// <summary>The bias (out).</summary>
    public Tensor BiasTensor => bias;

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        using var w = EffectiveWeight();
        // Under Autocast the product runs in its low-precision type (no-op casts otherwise).
        return ConvAsProducts.Conv1d(Autocast.Cast(input), Autocast.Cast(w), Autocast.Cast(bias), dilation, padding).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Replaces weight_g/weight_v by the plain weight they describe. Inference is then one
    /// convolution with no per-call normalisation; the state dict afterwards holds `weight`.
    /// </summary>
    public void Fold()
    {
        if (weight is not null) return;
        using var scope = NewDisposeScope();
        using (no_grad())
        {
            // Computed in float64 so folding adds no rounding of its own beyond the final cast.
            using var v = weight_v!.to(ScalarType.Float64);
            using var g = weight_g!.to(ScalarType.Float64);
            using var norm = NormExceptDim0(v);
            using var w64 = v * (g / norm);
            var folded = new Parameter(w64.to(weight_v.dtype), requires_grad: weight_v.requires_grad);
            folded.DetachFromDisposeScope();
            ConditionallyRegisterParameter(nameof(weight_g), (Parameter?)null);
            ConditionallyRegisterParameter(nameof(weight_v), (Parameter?)null);
            weight_g.Dispose();
            weight_v.Dispose();
            weight_g = null;
            weight_v = null;
            weight = folded;
            ConditionallyRegisterParameter(nameof(weight), weight);
        }
    }

    /// <summary>||v|| over every axis except 0, kept as (out, 1, 1) like torch's norm_except_dim.</summary>
    private static Tensor NormExceptDim0(Tensor v)
    {
        using var scope = NewDisposeScope();
        // v * v, not v.square(): TorchSharp 0.107's square() is pow(2) with an implicit Scalar that
        // the GC may finalize while libtorch still reads it (its handle is passed on and the object
        // is dead from then on). Training runs died of it within 100–350 iterations
        // ("INTERNAL ASSERT FAILED at c10/core/Scalar.h" from pow, here: it runs for every layer
        // and step); a tensor product has no Scalar.
        return (v * v).sum([1, 2], keepdim: true).sqrt().MoveToOuterDisposeScope();
    }
}
