using WaveFlow.Training.Run;

namespace WaveFlow.Training.Loop;

/// <summary>How an iteration ended.</summary>
internal enum StepOutcome
{
    /// <summary>The optimizer stepped.</summary>
    Stepped,
    /// <summary>The loss was NaN or infinite: no backward pass, no step.</summary>
    NonFiniteLoss,
    /// <summary>The gradient norm was NaN or infinite: no step.</summary>
    NonFiniteGradient,
    /// <summary>fp16 training: the scaled gradients overflowed; no step, the loss scale was halved.
    /// Not counted towards rollback (the scale finds its level within a few steps).</summary>
    LossScaleOverflow,
}
