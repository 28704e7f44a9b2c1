using System.Text.Json;
using System.Text.Json.Nodes;
using TorchSharp;
using WaveFlow.Audio.Wav;
using WaveFlow.Core.Serialization;
using WaveFlow.Evaluation.Comparison;
using WaveFlow.Evaluation.Gate;
using WaveFlow.Tests.Support;
using WaveFlow.Vocoder;
using WaveFlow.Vocoder.Checkpoints;

namespace WaveFlow.Tests.Evaluation;

/// <summary>The likelihood the report shows is the reference's training loss on the same audio and mel.</summary>
public class NllTests
{
    [Fact]
    public void NllEqualsTheReferenceLossAtSigmaOne()
    {
        using var manifest = JsonDocument.Parse(File.ReadAllText(Fixture.Path_("micro", "manifest.json")));
        double expected = manifest.RootElement.GetProperty("models").GetProperty("micro").GetProperty("forward").GetProperty("loss_sigma1").GetDouble();
        var path = Fixture.Path_("micro", "nvidia_checkpoint.pt");
        using var renderer = new ModelRenderer("micro", path, Synthesizer.Load(path, torch.CPU), 0.6);
        var mel = NpyFile.Read(Fixture.Path_("micro", "forward.mel.npy"));
        var audio = NpyFile.Read(Fixture.Path_("micro", "forward.audio.npy")).Data;
        double nll = renderer.Nll(new InputClip("forward", mel, audio))!.Value;
        Assert.Equal(expected, nll, 4);
        Assert.Null(renderer.Nll(new InputClip("no audio", mel, null)));
    }
}
