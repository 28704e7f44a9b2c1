using System.Diagnostics;
using TorchSharp;
using TorchSharp.Modules;
using WaveFlow.Audio.Dsp;
using WaveFlow.Core.Runtime;
using WaveFlow.Training.Data;
using WaveFlow.Training.Distributed;
using WaveFlow.Vocoder;
using static TorchSharp.torch;

namespace WaveFlow.Training.Loop;

/// <summary>
/// One optimisation step, as NVIDIA's train.py does it: crop batch → mel on the device →
/// forward → WaveGlow NLL → backward → Adam; plus what train.py lacks: the loss and the global
/// gradient norm are checked for NaN/∞ before anything is changed, and the norm is clipped.
/// Data-parallel over a process group (Horovod's design): each rank runs its slice of the global
/// batch, then one all-reduce sums the gradients (one flat buffer, see GradientBuffer) together
/// with the loss and the "not finite" and "stop" flags, and every rank divides by the world size.
/// The mean of the ranks' mean gradients over equal slices is the gradient of the mean loss over
/// the whole global batch, so N ranks × batch B update exactly as 1 rank × batch N·B; and since
/// clipping, skipping and stopping are decided on reduced values, every rank takes the same path.
/// <para>
/// Mixed precision (bf16/fp16): the forward runs under <see cref="Autocast"/>, so WN and the
/// upsampler compute in the low-precision type while the parameters, and so the flat gradient
/// buffer and Adam, stay float32 (master weights); the flow itself, the log-determinants and
/// the loss are float32. fp16 adds dynamic loss scaling (<see cref="LossScaler"/>): backward runs
/// on loss·scale, the all-reduced gradients are divided by world size·scale in one pass, and an
/// overflow (non-finite norm, the same on every rank after the all-reduce) skips the step and
/// halves the scale on every rank alike.
/// </para>
/// </summary>
internal sealed class TrainStep : IDisposable
{
    private readonly WaveGlow _model;
    private readonly optim.Optimizer _optimizer;
    private readonly TorchMelSpectrogram _melFrontEnd;
    private readonly Device _device;
    private readonly double _sigma, _gradClip;
    private readonly IProcessGroup _group;
    private readonly Parameter[] _parameters;
    private readonly GradientBuffer _buffer;
    private readonly Precision _precision;
    private readonly LossScaler? _scaler;

    public TrainStep(WaveGlow model, optim.Optimizer optimizer, TorchMelSpectrogram melFrontEnd, Device device, double sigma, double gradClip,
        IProcessGroup? group = null, Precision precision = Precision.Fp32, LossScaler? scaler = null)
    {
        (_model, _optimizer, _melFrontEnd, _device, _sigma, _gradClip) = (model, optimizer, melFrontEnd, device, sigma, gradClip);
        _group = group ?? SingleProcessGroup.Instance;
        _parameters = model.parameters().ToArray();
        _buffer = new GradientBuffer(_parameters, device);
        _precision = precision;
        // float16's range needs loss scaling; bfloat16 has float32's exponent and needs none.
        _scaler = precision == Precision.Fp16 ? scaler ?? new LossScaler() : null;
    }

    /// <summary>What the model's products compute in.</summary>
    public Precision Precision => _precision;

    /// <summary>The fp16 loss scaler (null for fp32 and bf16).</summary>
    public LossScaler? Scaler => _scaler;

    /// <summary>Gradients as the last step left them (averaged over ranks), for tests.</summary>
    internal Tensor Gradients => _buffer.Gradients;

    public StepResult Run(TrainingBatch batch, double learningRate, bool stopRequested = false)
    {
        // Disposed last: no garbage collection while libtorch may read a TorchSharp Scalar.
        using var gcGuard = ScalarGuard.Enter();
        using var scope = NewDisposeScope();
        foreach (var group in _optimizer.ParamGroups) group.LearningRate = learningRate;
        _model.train();
        _optimizer.zero_grad();                                         // in place: the views stay

        var audio = tensor(batch.Audio, [batch.BatchSize, batch.SegmentLength]).to(_device);   // (B, L)
        var mel = _melFrontEnd.Compute(audio);                          // (B, n_mel, L/hop + 1), no grad
        Tensor loss;
        // With a harmonic source the flow models audio − source; the source's own losses train
        // its pitch predictor and amplitudes and are added to the NLL (float32, outside autocast).
        var (flowInput, sourceLoss) = _model.Source is { } source && batch.Source is { } targets
            ? SourceTerms(source, targets, audio, mel, batch.Iteration)
            : (audio, null);
        using (Autocast.Enable(_precision.Dtype()))
        {
            var (z, logSSum, logDetWSum) = _model.Forward(flowInput, mel);   // z (B, n_group, L/n_group), float32
            loss = WaveGlowLoss.Compute(z, logSSum, logDetWSum, _sigma);  // float32
        }
        if (sourceLoss is not null) loss = loss + sourceLoss;
        double local = loss.item<float>();
        bool finite = double.IsFinite(local);
        // A rank whose loss is not finite skips backward (its gradients stay 0) but still joins
        // the all-reduce: returning early here would leave the other ranks waiting forever.
        if (finite) (_scaler is null ? loss : loss * _scaler.Scale).backward();
        _buffer.SetControl(finite ? local : 0, !finite, stopRequested);

        int world = _group.WorldSize;
        // The identity for a single process; a job of one MPI/NCCL rank still runs the collective.
        long start = Stopwatch.GetTimestamp();
        _group.AllReduceSum(_buffer.Flat);
        double reduceSeconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        // The mean over ranks and the loss scale's undoing in one pass over the gradients.
        double divisor = world * (_scaler?.Scale ?? 1);
        if (divisor != 1) _buffer.Gradients.div_(divisor);
        var (lossSum, nonFinite, stops) = _buffer.ReadControl();
        bool stop = stops > 0;
        if (nonFinite > 0)
        {
            _optimizer.zero_grad();
            return new StepResult(finite ? double.NaN : local, double.NaN, StepOutcome.NonFiniteLoss, stop, reduceSeconds);
        }
        double value = world > 1 ? lossSum / world : local;

        // Without clipping the norm is still computed (max_norm = ∞ scales by min(1, ∞) = 1):
        // it is logged, and a NaN/∞ norm means some gradient is poisoned.
        double norm = nn.utils.clip_grad_norm_(_parameters, _gradClip > 0 ? _gradClip : double.PositiveInfinity);
        if (!double.IsFinite(norm))
        {
            _optimizer.zero_grad();
            if (_scaler is { CanBackOff: true })
            {
                // fp16 overflow: expected while the scale searches its level; not a bad step.
                _scaler.Update(finite: false);
                return new StepResult(value, norm, StepOutcome.LossScaleOverflow, stop, reduceSeconds);
            }
            return new StepResult(value, norm, StepOutcome.NonFiniteGradient, stop, reduceSeconds);
        }
        _scaler?.Update(finite: true);
        _optimizer.step();
        return new StepResult(value, norm, StepOutcome.Stepped, stop, reduceSeconds);
    }

    /// <summary>
    /// audio − source and the source's weighted losses for one batch. At iteration 0 of a model
    /// whose gain is unset, the gain is first set from the batch (the same on every rank: the
    /// sums are all-reduced).
    /// </summary>
    private (Tensor FlowInput, Tensor? Loss) SourceTerms(HarmonicSource source, SourceBatch targets, Tensor audio, Tensor mel, long iteration)
    {
        long b = audio.shape[0], f = targets.Frames, k = targets.Harmonics, l = targets.SegmentLength;
        var f0 = tensor(targets.F0, [b, f]).to(_device);                                   // (B, F)
        var voiced = tensor(targets.Voiced, [b, f]).to(_device);                           // (B, F)
        var logTarget = tensor(targets.LogAmplitude, [b, k, f]).to(_device);               // (B, K, F)
        var mask = tensor(targets.AmplitudeMask, [b, k, f]).to(_device);                   // (B, K, F)
        var carriers = tensor(targets.Carriers, [b, k, l]).to(_device);                    // (B, K, L)
        if (iteration == 0 && source.GainUnset)
        {
            double[] sums;
            using (no_grad())
            {
                var difference = (logTarget - source.LogAmplitudes(mel, f0, voiced)) * mask;
                sums = [difference.sum().item<float>(), mask.sum().item<float>()];
            }
            _group.AllReduceSum(sums);
            source.InitialiseGain(sums[0], sums[1]);
        }
        var logAmp = source.LogAmplitudes(mel, f0, voiced);                                // (B, K, F)
        var waveform = source.Waveform(logAmp, carriers);                                  // (B, L)
        var o = source.Options;
        var loss = source.PredictorLoss(mel, f0, voiced) * o.F0LossWeight
            + HarmonicSource.AmplitudeLoss(logAmp, logTarget, mask) * o.AmplitudeLossWeight;
        return (audio - waveform, loss);
    }

    public void Dispose() => _buffer.Dispose();
}
