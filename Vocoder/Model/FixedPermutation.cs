using TorchSharp;
using static TorchSharp.torch;

namespace WaveFlow.Vocoder;

/// <summary>
/// A fixed channel permutation (RealNVP/NICE before Glow): reversal, or a shuffle drawn once from
/// a seed. A permutation has |det| = 1, so its log-det is 0. The shuffle's order is a buffer
/// (<c>convinv.k.perm</c>), so it is saved in checkpoints and survives a change of seed or of
/// the random generator; reversal needs nothing stored.
/// </summary>
internal sealed class FixedPermutation : ChannelMixing
{
    private Tensor? perm;            // (c,) the shuffled order, as float32 so checkpoints stay float tensors
    private readonly long[] order;

    /// <param name="channels">c</param>
    /// <param name="seed">null: reverse the channels; otherwise a Fisher–Yates shuffle from this seed</param>
    public FixedPermutation(int channels, long? seed) : base(nameof(FixedPermutation))
    {
        order = Enumerable.Range(0, channels).Select(i => (long)(channels - 1 - i)).ToArray();
        if (seed is { } s)
        {
            var rng = new Random(unchecked((int)(s ^ (s >> 32))));
            order = Enumerable.Range(0, channels).Select(i => (long)i).ToArray();
            for (int i = channels - 1; i > 0; i--)
            {
                int j = rng.Next(i + 1);
                (order[i], order[j]) = (order[j], order[i]);
            }
            perm = tensor(order.Select(i => (float)i).ToArray()).DetachFromDisposeScope();
        }
        RegisterComponents();
    }

    /// <summary>The current order (from the buffer when shuffled: a loaded checkpoint's order wins).</summary>
    private long[] Order()
    {
        if (perm is null) return order;
        using var cpu = perm.to(ScalarType.Float32, CPU);
        return cpu.data<float>().ToArray().Select(v => (long)v).ToArray();
    }

    /// <summary>z (B, c, T') → (z[:, order], 0).</summary>
    public override (Tensor Z, Tensor LogDet) forward(Tensor z)
    {
        using var scope = NewDisposeScope();
        var index = tensor(Order(), device: z.device);
        var y = z.index_select(1, index);
        var logDet = zeros([], dtype: ScalarType.Float32, device: z.device);
        return (y.MoveToOuterDisposeScope(), logDet.MoveToOuterDisposeScope());
    }

    /// <summary>z (B, c, T') → the channels in their original order.</summary>
    public override Tensor Inverse(Tensor z)
    {
        using var scope = NewDisposeScope();
        var o = Order();
        var inverse = new long[o.Length];
        for (int i = 0; i < o.Length; i++) inverse[o[i]] = i;
        return z.index_select(1, tensor(inverse, device: z.device)).MoveToOuterDisposeScope();
    }
}
