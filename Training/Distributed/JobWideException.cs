using WaveFlow.Core;

namespace WaveFlow.Training.Distributed;

/// <summary>
/// An error that every rank of a job raises at the same point (decided on all-reduced values),
/// so no rank is left waiting in a collective: each prints its line and exits normally instead
/// of aborting the job, which would cut the other ranks' lines short.
/// </summary>
internal sealed class JobWideException(string message, int exitCode = 2) : WaveFlowException(message, exitCode);
