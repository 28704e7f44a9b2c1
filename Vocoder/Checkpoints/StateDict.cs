using TorchSharp;
using WaveFlow.Core;
using static TorchSharp.torch;

namespace WaveFlow.Vocoder.Checkpoints;

/// <summary>Copies a module's state dict to and from name → <see cref="FloatArray"/> maps.</summary>
internal static class StateDict
{
    /// <summary>Every parameter and buffer as float32 on the CPU, NVIDIA's names.</summary>
    public static Dictionary<string, FloatArray> Export(nn.Module module)
    {
        var result = new Dictionary<string, FloatArray>(StringComparer.Ordinal);
        // detach(), to() and contiguous() each make a tensor: the scope frees them all.
        using var scope = NewDisposeScope();
        foreach (var (name, tensor) in module.state_dict())
        {
            var cpu = tensor.detach().to(ScalarType.Float32, CPU).contiguous();
            result[name] = new FloatArray(cpu.data<float>().ToArray(), cpu.shape.ToArray());
        }
        return result;
    }

    /// <summary>
    /// Loads <paramref name="tensors"/> into the module, converting to each parameter's dtype and
    /// device. Fails with one line naming the first key that is missing, has another shape or is
    /// not the model's. A plain `X.weight` is accepted where the model has a weight norm
    /// (`X.weight_g`, `X.weight_v`): v = weight and g = ||weight|| per output channel, the same
    /// convolution.
    /// </summary>
    public static void Load(nn.Module module, IReadOnlyDictionary<string, FloatArray> tensors, string source)
    {
        using var scope = NewDisposeScope();
        var expected = module.state_dict();
        var used = new HashSet<string>(StringComparer.Ordinal);
        using var _ = no_grad();
        foreach (var (name, target) in expected)
        {
            Tensor value;
            if (tensors.TryGetValue(name, out var array)) { value = ToTensor(array); used.Add(name); }
            else if (PlainFor(name, tensors, out string plainName, out bool isG))
            {
                var w = ToTensor(tensors[plainName]);
                value = isG ? w.square().sum([1, 2], keepdim: true).sqrt() : w;
                used.Add(plainName);
            }
            else throw new WaveFlowException($"{source}: missing tensor {name} (the model expects shape {Shape(target.shape)})");
            if (!value.shape.SequenceEqual(target.shape))
                throw new WaveFlowException($"{source}: tensor {name} has shape {Shape(value.shape)}, the model expects {Shape(target.shape)} (another model configuration?)");
            target.copy_(value.to(target.dtype, target.device));
        }
        foreach (var name in tensors.Keys.Where(n => !used.Contains(n)).Order(StringComparer.Ordinal))
            throw new WaveFlowException($"{source}: unexpected tensor {name} (not part of this model)");
    }

    public static Tensor ToTensor(FloatArray array) => tensor(array.Data, array.Shape);

    private static bool PlainFor(string name, IReadOnlyDictionary<string, FloatArray> tensors, out string plainName, out bool isG)
    {
        isG = name.EndsWith(".weight_g", StringComparison.Ordinal);
        bool isV = name.EndsWith(".weight_v", StringComparison.Ordinal);
        plainName = (isG || isV) ? name[..^2] : "";
        return (isG || isV) && tensors.ContainsKey(plainName) && tensors[plainName].Shape.Length == 3;
    }

    public static string Shape(IEnumerable<long> shape) => "[" + string.Join(", ", shape) + "]";
}
