using TorchSharp.Modules;
using static TorchSharp.torch;

namespace WaveFlow.Training.Distributed;

/// <summary>
/// Every parameter's gradient as a view into one flat float32 tensor, followed by a few control
/// slots, so that one all-reduce per step carries the gradients and the values every rank must
/// agree on before deciding anything: the loss, whether some rank's loss was not finite, and
/// whether some rank was asked to stop. Autograd accumulates into an existing <c>.grad</c> in
/// place and the optimizer zeroes it in place, so the views stay views for the whole run.
/// </summary>
internal sealed class GradientBuffer : IDisposable
{
    /// <summary>The control slots after the gradients.</summary>
    public enum Slot { Loss, NonFiniteLosses, StopRequests }
    private const int SlotCount = 3;

    private readonly Tensor _flat;          // (parameters + SlotCount,)
    private readonly long _gradients;

    public GradientBuffer(IReadOnlyList<Parameter> parameters, Device device)
    {
        _gradients = parameters.Sum(p => p.numel());
        _flat = zeros(_gradients + SlotCount, dtype: ScalarType.Float32, device: device);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        long offset = 0;
        foreach (var p in parameters)
        {
            p.grad = _flat.narrow(0, offset, p.numel()).view(p.shape);   // (p.shape), aliasing _flat
            offset += p.numel();
        }
    }

    /// <summary>Gradients and control slots, for the all-reduce.</summary>
    public Tensor Flat => _flat;

    /// <summary>The gradients alone (a view).</summary>
    public Tensor Gradients => _flat.narrow(0, 0, _gradients);

    /// <summary>Writes this rank's control values (before the all-reduce).</summary>
    public void SetControl(double loss, bool nonFiniteLoss, bool stopRequested)
    {
        using var values = tensor(new[] { (float)loss, nonFiniteLoss ? 1f : 0f, stopRequested ? 1f : 0f });
        using var slots = _flat.narrow(0, _gradients, SlotCount);
        slots.copy_(values);
    }

    /// <summary>The control values (after the all-reduce: sums over ranks).</summary>
    public (double Loss, double NonFiniteLosses, double StopRequests) ReadControl()
    {
        using var slots = _flat.narrow(0, _gradients, SlotCount).cpu();
        var v = slots.data<float>().ToArray();
        return (v[(int)Slot.Loss], v[(int)Slot.NonFiniteLosses], v[(int)Slot.StopRequests]);
    }

    public void Dispose() => _flat.Dispose();
}
