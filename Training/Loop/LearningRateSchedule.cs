using WaveFlow.Core;
using WaveFlow.Training.Config;

namespace WaveFlow.Training.Loop;

/// <summary>
/// The learning rate as a pure function of the iteration, so a resumed run continues on exactly
/// the same curve with no scheduler state to save.
/// <list type="bullet">
/// <item>constant: learning_rate (NVIDIA's choice).</item>
/// <item>step: learning_rate · gamma^⌊i / decay_iterations⌋.</item>
/// <item>exponential: learning_rate · gamma^(i / decay_iterations) (smooth version of step).</item>
/// <item>cosine: from learning_rate down to lr_min over decay_iterations, then lr_min.</item>
/// </list>
/// Every kind is multiplied by a linear warm-up over the first lr_warmup_iterations and never
/// falls below lr_min.
/// </summary>
internal sealed class LearningRateSchedule(TrainOptions options)
{
    public static readonly IReadOnlyList<string> Kinds = ["constant", "step", "exponential", "cosine"];

    public double At(long iteration)
    {
        double i = iteration, decay = options.LrDecayIterations, lr = options.LearningRate;
        double rate = options.LrSchedule switch
        {
            "constant" => lr,
            "step" => lr * Math.Pow(options.LrDecayGamma, Math.Floor(i / decay)),
            "exponential" => lr * Math.Pow(options.LrDecayGamma, i / decay),
            "cosine" => options.LrMin + (lr - options.LrMin) * 0.5 * (1 + Math.Cos(Math.PI * Math.Min(i, decay) / decay)),
            _ => throw new WaveFlowException($"train_config.lr_schedule: unknown schedule \"{options.LrSchedule}\""),
        };
        rate = Math.Max(rate, options.LrMin);
        // Warm-up: iteration 0 trains at lr/warmup, reaching the full rate at iteration warmup-1.
        if (iteration < options.LrWarmupIterations)
            rate *= (iteration + 1.0) / options.LrWarmupIterations;
        return rate;
    }
}
