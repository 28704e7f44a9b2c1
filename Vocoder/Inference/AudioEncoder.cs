using TorchSharp;
using WaveFlow.Core;
using static TorchSharp.torch;

namespace WaveFlow.Vocoder;

/// <summary>Audio → z with the flow's forward direction, and the exact NLL of the audio.</summary>
internal static class AudioEncoder
{
    /// <summary>
    /// audio in [-1, 1] and its mel [n_mel, F]; the audio is cut to a multiple of n_group and to
    /// what the mel covers. Under the standard-normal prior, −log p(x) = ½Σz² + ½T·log 2π − Σlog s
    /// − Σlog|det W|; divided by T that is the WaveGlow loss plus ½·log 2π.
    /// </summary>
    public static EncodeResult Encode(WaveGlow model, ReadOnlySpan<float> audio, FloatArray mel)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var o = model.Options;
        long[] melShape = mel.Shape.Length == 3 && mel.Shape[0] == 1 ? mel.Shape[1..] : mel.Shape;
        if (melShape.Length != 2 || melShape[0] != o.NMelChannels)
            throw new WaveFlowException($"mel has shape [{string.Join(", ", mel.Shape)}], the model needs [{o.NMelChannels}, frames]");
        long covered = (melShape[1] - 1) * model.Mel.HopLength + model.Mel.FilterLength;
        long samples = Math.Min(audio.Length, covered) / o.NGroup * o.NGroup;
        if (samples < o.NGroup) throw new WaveFlowException($"audio has {audio.Length} samples, too short to encode");

        var parameter = model.parameters().First();
        var x = tensor(audio[..(int)samples].ToArray(), [1, samples]).to(parameter.dtype, parameter.device);   // (1, T)
        var m = tensor(mel.Data, [1, melShape[0], melShape[1]]).to(parameter.dtype, parameter.device);          // (1, n_mel, F)
        var (z, logS, logDetW) = model.Forward(x, m);
        // The likelihood in float64 from the float32 network outputs.
        double sumSq = z.to(ScalarType.Float64).square().sum().item<double>();
        double loss = (0.5 * sumSq - logS.to(ScalarType.Float64).item<double>() - logDetW.to(ScalarType.Float64).item<double>()) / samples;
        double nats = WaveGlowLoss.NatsPerSample(loss);
        using var cpu = z.squeeze(0).to(ScalarType.Float32).cpu().contiguous();                                 // (g, T/g)
        var zArray = new FloatArray(cpu.data<float>().ToArray(), cpu.shape.ToArray());
        return new EncodeResult(zArray, loss, nats, WaveGlowLoss.BitsPerSample(nats), samples);
    }
}
