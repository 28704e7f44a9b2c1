using WaveFlow.Core;
using WaveFlow.Core.IO;

namespace WaveFlow.Training.Data;

/// <summary>One utterance: an id (the wav's name without extension) and where its audio lives.</summary>
internal sealed record CorpusClip(string Id, string WavPath);
