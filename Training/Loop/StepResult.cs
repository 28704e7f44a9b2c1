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

/// <summary>What one step did: the loss (mean over all ranks), the gradient norm, the outcome,
/// whether any rank was asked to stop (every rank then stops after this step), and the seconds
/// spent in the all-reduce (waiting for the slowest rank included).</summary>
internal readonly record struct StepResult(double Loss, double GradNorm, StepOutcome Outcome, bool StopRequested, double AllReduceSeconds = 0);
