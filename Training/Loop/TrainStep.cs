using TorchSharp;
using TorchSharp.Modules;
using WaveFlow.Audio;
using WaveFlow.Vocoder;
using static TorchSharp.torch;

namespace WaveFlow.Training;

/// <summary>
/// One optimisation step, as NVIDIA's train.py does it: crop batch → mel on the device →
/// forward → WaveGlow NLL → backward → Adam; plus what train.py lacks: the loss and the global
/// gradient norm are checked for NaN/∞ before anything is changed, and the norm is clipped.
/// </summary>
public sealed class TrainStep(WaveGlow model, optim.Optimizer optimizer, TorchMelSpectrogram melFrontEnd, Device device, double sigma, double gradClip)
{
    private readonly Parameter[] _parameters = model.parameters().ToArray();

    public (double Loss, double GradNorm, StepOutcome Outcome) Run(TrainingBatch batch, double learningRate)
    {
        using var scope = NewDisposeScope();
        foreach (var group in optimizer.ParamGroups) group.LearningRate = learningRate;
        model.train();
        optimizer.zero_grad();

        var audio = tensor(batch.Audio, [batch.BatchSize, batch.SegmentLength]).to(device);   // (B, L)
        var mel = melFrontEnd.Compute(audio);                          // (B, n_mel, L/hop + 1), no grad
        var (z, logSSum, logDetWSum) = model.Forward(audio, mel);       // z (B, n_group, L/n_group)
        var loss = WaveGlowLoss.Compute(z, logSSum, logDetWSum, sigma);
        double value = loss.item<float>();
        if (!double.IsFinite(value)) return (value, double.NaN, StepOutcome.NonFiniteLoss);

        loss.backward();
        // Without clipping the norm is still computed (max_norm = ∞ scales by min(1, ∞) = 1):
        // it is logged, and a NaN/∞ norm means some gradient is poisoned.
        double norm = nn.utils.clip_grad_norm_(_parameters, gradClip > 0 ? gradClip : double.PositiveInfinity);
        if (!double.IsFinite(norm))
        {
            optimizer.zero_grad();
            return (value, norm, StepOutcome.NonFiniteGradient);
        }
        optimizer.step();
        return (value, norm, StepOutcome.Stepped);
    }
}
