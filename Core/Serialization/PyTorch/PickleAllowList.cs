namespace WaveFlow.Core.Serialization.PyTorch;

/// <summary>
/// The only Python globals a pickle may name, and what "calling" each of them means here.
/// Nothing is ever executed: an allowed class becomes a <see cref="PickleObject"/> (plain data),
/// the few allowed functions are re-implemented below as data transformations, and any other
/// global stops the load at the GLOBAL opcode, before anything could use it.
/// </summary>
internal static class PickleAllowList
{
    /// <summary>Classes whose instances become <see cref="PickleObject"/>s: exactly what NVIDIA's WaveGlow pickles reference.</summary>
    private static readonly HashSet<string> Classes =
    [
        "glow.WaveGlow", "glow.WN", "glow.Invertible1x1Conv",
        // Not in the fixtures: NVIDIA's first published model (waveglow_old.pt) pickles the classes of glow_old.py.
        "glow_old.WaveGlow", "glow_old.WN", "glow_old.Invertible1x1Conv",
        "torch.nn.modules.conv.Conv1d", "torch.nn.modules.conv.ConvTranspose1d",
        "torch.nn.modules.container.ModuleList",
        // The weight-norm forward pre-hook object; its state says which tensor is normalised (name) and along which axis (dim).
        "torch.nn.utils.weight_norm.WeightNorm",
    ];

    /// <summary>Callables with a data-only meaning, implemented in <see cref="Call"/>.</summary>
    private static readonly HashSet<string> Functions =
    [
        "collections.OrderedDict",
        "__builtin__.set", "builtins.set", // Python 2 name (protocol 2 maps builtins to __builtin__) and Python 3 name
        "torch._utils._rebuild_tensor_v2",
        "torch._utils._rebuild_parameter",
        // Not in the fixtures, but in checkpoints saved by PyTorch 0.4–1.1 (NVIDIA's published WaveGlows among them):
        // every module then carried `_backend = THNNFunctionBackend()`, pickled as a call of this function with no
        // arguments. PyTorch itself keeps it as a do-nothing stub "for historical pickle deserialization"; here it is None.
        "torch.nn.backends.thnn._get_thnn_function_backend",
    ];

    /// <summary>True when <paramref name="module"/>.<paramref name="name"/> may appear in a pickle.</summary>
    public static bool IsAllowed(string module, string name) =>
        Classes.Contains($"{module}.{name}") || Functions.Contains($"{module}.{name}") || IsStorageClass(module, name);

    /// <summary>Storage classes only ever appear inside persistent ids, as type tags.</summary>
    internal static bool IsStorageClass(string module, string name) => module == "torch" && TorchStorage.FromStorageClass(name) is not null;

    internal static bool IsClass(PickleClass c) => Classes.Contains(c.FullName);

    /// <summary>NEWOBJ: <c>cls.__new__(cls, *args)</c> for an allowed class.</summary>
    internal static object New(PickleClass cls, object?[] args, string path) =>
        IsClass(cls) ? new PickleObject(cls.FullName, args)
                     : throw WaveFlowException.ForFile(path, $"pickle creates an instance of {cls.FullName}, which is not a class this loader knows");

    /// <summary>REDUCE: <c>callable(*args)</c>, for the allowed callables only.</summary>
    internal static object? Call(object? callable, object?[] args, string path)
    {
        if (callable is not PickleClass c)
            throw WaveFlowException.ForFile(path, $"malformed pickle: REDUCE on a {Describe(callable)}");
        if (IsClass(c)) return new PickleObject(c.FullName, args);
        switch (c.FullName)
        {
            case "collections.OrderedDict":
                var dict = new PickleDict("collections.OrderedDict");
                if (args.Length > 0 && args[0] is List<object?> pairs)
                    foreach (var pair in pairs)
                        if (pair is object?[] { Length: 2 } kv && kv[0] is not null) dict[kv[0]!] = kv[1];
                return dict;
            case "__builtin__.set" or "builtins.set":
                var set = new PickleSet();
                if (args.Length > 0 && args[0] is List<object?> items) set.Items.AddRange(items);
                return set;
            case "torch.nn.backends.thnn._get_thnn_function_backend":
                return null;
            case "torch._utils._rebuild_tensor_v2":
                return RebuildTensor(args, path);
            case "torch._utils._rebuild_parameter":
                // (data, requires_grad, backward_hooks): a Parameter is its data for our purposes.
                if (args.Length < 1 || args[0] is not TorchTensor t)
                    throw WaveFlowException.ForFile(path, "malformed pickle: _rebuild_parameter without a tensor");
                return t;
            default:
                throw WaveFlowException.ForFile(path, $"pickle calls {c.FullName}, which cannot be called");
        }
    }

    // _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])
    private static TorchTensor RebuildTensor(object?[] args, string path)
    {
        if (args.Length < 4 || args[0] is not TorchStorage storage || args[1] is not long offset
            || args[2] is not object?[] size || args[3] is not object?[] stride || size.Length != stride.Length
            || size.Any(x => x is not long) || stride.Any(x => x is not long))
            throw WaveFlowException.ForFile(path, "malformed pickle: unexpected arguments to _rebuild_tensor_v2");
        return new TorchTensor(storage, offset, size.Cast<long>().ToArray(), stride.Cast<long>().ToArray());
    }

    /// <summary>A short Python-ish description of an unpickled value, for error messages.</summary>
    public static string Describe(object? o) => o switch
    {
        null => "None",
        PickleClass c => c.FullName,
        PickleObject p => p.ClassName + " object",
        PickleDict d => d.ClassName,
        object?[] => "tuple",
        List<object?> => "list",
        FloatArray t => $"tensor [{string.Join(", ", t.Shape)}]",
        _ => o.GetType().Name,
    };
}
