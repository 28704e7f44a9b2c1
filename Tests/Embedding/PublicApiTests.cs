using WaveFlow.Audio;
using WaveFlow.Core;
using WaveFlow.Vocoder;

namespace WaveFlow.Tests.Embedding;

/// <summary>
/// The packed libraries expose the embedding API and the types its signatures need, nothing
/// else: everything else is internal (the solution's assemblies see it through InternalsVisibleTo).
/// </summary>
public class PublicApiTests
{
    [Fact]
    public void OnlyTheEmbeddingApiIsPublic()
    {
        var assemblies = new[] { typeof(WaveFlowException).Assembly, typeof(Mels).Assembly, typeof(WaveFlowVocoder).Assembly };
        var exported = assemblies.SelectMany(a => a.GetExportedTypes()).Select(t => t.FullName).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(new[]
        {
            "WaveFlow.Audio.MelOptions", "WaveFlow.Audio.Mels", "WaveFlow.Audio.Wav.WavSampleFormat",
            "WaveFlow.Core.WaveFlowException",
            "WaveFlow.Vocoder.Precision", "WaveFlow.Vocoder.VocoderOptions", "WaveFlow.Vocoder.WaveFlowVocoder",
        }, exported);
    }
}
