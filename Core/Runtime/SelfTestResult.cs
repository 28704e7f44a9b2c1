using TorchSharp;
using static TorchSharp.torch;

namespace WaveFlow.Core.Runtime;

/// <summary>One line of a self-test: what ran, where, and how far it was from the truth.</summary>
internal sealed record SelfTestResult(string Check, string Device, double MaxAbsError, double Tolerance)
{
    public bool Passed => MaxAbsError <= Tolerance;
}
