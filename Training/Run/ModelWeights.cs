using WaveFlow.Core;
using WaveFlow.Core.Serialization;
using static TorchSharp.torch;

namespace WaveFlow.Training.Run;

/// <summary>
/// Copies weights from a .safetensors checkpoint into an existing module, in place, by state-dict
/// name. In place matters: the optimizer holds references to these very parameter tensors, so a
/// rollback or resume must overwrite them rather than build a new model.
/// </summary>
internal static class ModelWeights
{
    public static void LoadInto(nn.Module module, string path)
    {
        var tensors = Safetensors.Read(path).Tensors;
        using var noGrad = no_grad();
        foreach (var (name, target) in module.named_parameters().Select(p => (p.name, (Tensor)p.parameter)).Concat(module.named_buffers()))
        {
            if (!tensors.TryGetValue(name, out var source))
                throw WaveFlowException.ForFile(path, $"has no tensor {name}; it was not written for this model");
            if (!source.Shape.SequenceEqual(target.shape))
                throw WaveFlowException.ForFile(path, $"{name} has shape [{string.Join(", ", source.Shape)}], the model expects [{string.Join(", ", target.shape)}]");
            using var value = tensor(source.Data, source.Shape);
            target.copy_(value);
        }
    }
}
