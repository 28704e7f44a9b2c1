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

/// <summary>A breach of the loader contract that is not itself an exception of the wrong type.</summary>
internal sealed class FuzzDefectException(string message, Exception? inner = null) : Exception(message, inner);
