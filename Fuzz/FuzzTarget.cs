using System.Text;
using WaveFlow.Audio;
using WaveFlow.Audio.Wav;
using WaveFlow.Core;
using WaveFlow.Core.Serialization;
using WaveFlow.Core.Serialization.PyTorch;
using WaveFlow.Evaluation.Gate;
using WaveFlow.Evaluation.Listening;
using WaveFlow.Training.Config;
using WaveFlow.Training.Run;
using WaveFlow.Vocoder;
using WaveFlow.Vocoder.Checkpoints;

namespace WaveFlow.Fuzz;

/// <summary>
/// One loader as a fuzz target: it gets a whole file's bytes and a path (for the in-memory
/// loaders only a name that errors must mention; the checkpoint target writes the bytes there,
/// because <see cref="CheckpointLoader"/> reads files). The contract every target is held to:
/// it returns, or throws a <see cref="WaveFlowException"/> that names the path; anything else
/// (another exception, a hang, an allocation out of proportion to the input) is a defect.
/// </summary>
internal sealed record FuzzTarget(string Name, string Extension, string Loader, Action<byte[], string> Run)
{
    public override string ToString() => Name;
}
