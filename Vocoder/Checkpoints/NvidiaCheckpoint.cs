using WaveFlow.Core;
using WaveFlow.Core.Serialization.PyTorch;

namespace WaveFlow.Vocoder.Checkpoints;

/// <summary>
/// Loads NVIDIA WaveGlow checkpoints without Python and without executing anything
/// (<see cref="PyTorchFile"/>'s restricted unpickler). Accepted:
/// <list type="bullet">
/// <item>NVIDIA's train.py checkpoint <c>{"model": glow.WaveGlow, "iteration": n, "optimizer": ..., "learning_rate": ...}</c>
/// (also a bare pickled <c>glow.WaveGlow</c>): the module tree is walked through each module's
/// <c>_parameters</c>, <c>_buffers</c> and <c>_modules</c> to build dotted names, exactly as
/// <c>Module.state_dict()</c> does; weight-normalised convolutions keep <c>weight_g</c>/<c>weight_v</c>;</item>
/// <item>a state dict, bare or under <c>"state_dict"</c> or <c>"model"</c>; a DataParallel <c>module.</c> prefix is removed;</item>
/// <item>old layouts: per-layer <c>cond_layers</c> fused into one <c>cond_layer</c> (see <see cref="CondLayerFusion"/>), and
/// glow_old.py's <c>res_layers</c>/<c>skip_layers</c> into <c>res_skip_layers</c> (see <see cref="ResSkipFusion"/>).</item>
/// </list>
/// Anything else gives one line naming the file.
/// </summary>
internal static class NvidiaCheckpoint
{
    private static readonly string[] WaveGlowClasses = ["glow.WaveGlow", "glow_old.WaveGlow"];

    /// <summary>The state dict alone, with NVIDIA's key names.</summary>
    public static IReadOnlyDictionary<string, FloatArray> LoadStateDict(string path) => Load(path).StateDict;

    public static NvidiaCheckpointContents Load(string path)
    {
        var file = PyTorchFile.Read(path);
        var normDims = new Dictionary<string, long>(StringComparer.Ordinal);
        long? iteration = null;
        Dictionary<string, FloatArray> state;
        bool wholeModel;
        string? modelClass = null;
        switch (file.Root)
        {
            case PickleObject model:
                state = WalkModel(model, normDims, path);
                modelClass = model.ClassName;
                wholeModel = true;
                break;
            case PickleDict dict when dict.TryGet("model", out var m) && m is PickleObject model:
                state = WalkModel(model, normDims, path);
                modelClass = model.ClassName;
                iteration = Iteration(dict, path);
                wholeModel = true;
                break;
            case PickleDict dict when (dict.TryGet("state_dict", out var s) || dict.TryGet("model", out s)) && s is PickleDict inner:
                state = FromStateDict(inner, path);
                iteration = Iteration(dict, path);
                wholeModel = false;
                break;
            case PickleDict dict when dict.Count > 0 && dict.All(kv => kv.Key is string && kv.Value is FloatArray):
                state = FromStateDict(dict, path);
                wholeModel = false;
                break;
            case FloatArray t:
                throw WaveFlowException.ForFile(path, $"holds a single tensor [{string.Join(", ", t.Shape)}], not a WaveGlow checkpoint");
            case var other:
                throw WaveFlowException.ForFile(path, $"holds a {PickleAllowList.Describe(other)} that is neither a WaveGlow model nor a state dict");
        }
        StripDataParallelPrefix(state);
        CondLayerFusion.Fuse(state, normDims, path);
        ResSkipFusion.Fuse(state, normDims, path);
        if (!state.ContainsKey("upsample.weight") || !state.Keys.Any(k => k.StartsWith("WN.0.", StringComparison.Ordinal)))
            throw WaveFlowException.ForFile(path, "not a WaveGlow state dict (upsample.weight or WN.0.* is missing)");
        string kind = wholeModel ? (file.Legacy ? "nvidia-checkpoint-legacy" : "nvidia-checkpoint") : "state-dict";
        bool alternating = modelClass is not null && CouplingLayout.IsAlternating(modelClass, file.ClassSources);
        return new NvidiaCheckpointContents(state, iteration, kind, alternating);
    }

    private static long? Iteration(PickleDict dict, string path) =>
        !dict.TryGet("iteration", out var it) || it is null ? null
        : it is long n ? n : throw WaveFlowException.ForFile(path, $"\"iteration\" is a {PickleAllowList.Describe(it)}, not an integer");

    private static Dictionary<string, FloatArray> FromStateDict(PickleDict dict, string path)
    {
        var state = new Dictionary<string, FloatArray>(StringComparer.Ordinal);
        foreach (var (key, value) in dict)
        {
            if (key is not string name) throw WaveFlowException.ForFile(path, $"state dict key {key} is not a string");
            state[name] = value as FloatArray ?? throw WaveFlowException.ForFile(path, $"state dict entry {name} is a {PickleAllowList.Describe(value)}, not a tensor");
        }
        return state;
    }

    private static Dictionary<string, FloatArray> WalkModel(PickleObject model, Dictionary<string, long> normDims, string path)
    {
        if (!WaveGlowClasses.Contains(model.ClassName))
            throw WaveFlowException.ForFile(path, $"holds a {model.ClassName} model, not a glow.WaveGlow");
        var state = new Dictionary<string, FloatArray>(StringComparer.Ordinal);
        Walk(model, "", state, normDims, path, depth: 0);
        return state;
    }

    // Module.state_dict(): own parameters, then persistent buffers, then each child under "<name>.".
    private static void Walk(PickleObject module, string prefix, Dictionary<string, FloatArray> state, Dictionary<string, long> normDims, string path, int depth)
    {
        string where = prefix.Length == 0 ? "the model" : prefix.TrimEnd('.');
        if (depth > 64) throw WaveFlowException.ForFile(path, $"module tree deeper than 64 levels at {where}");
        if (module.State is not PickleDict attributes)
            throw WaveFlowException.ForFile(path, $"{where} ({module.ClassName}) has no attribute dict");
        var skip = attributes.TryGet("_non_persistent_buffers_set", out var np) && np is PickleSet set
            ? set.Items.OfType<string>().ToHashSet(StringComparer.Ordinal) : [];
        foreach (var group in new[] { "_parameters", "_buffers" })
        {
            if (!attributes.TryGet(group, out var g) || g is null) continue;
            if (g is not PickleDict tensors) throw WaveFlowException.ForFile(path, $"{where}.{group} is a {PickleAllowList.Describe(g)}, not a dict");
            foreach (var (key, value) in tensors)
            {
                if (value is null || (group == "_buffers" && skip.Contains((string)key))) continue; // None: e.g. a conv without bias
                state[prefix + key] = value as FloatArray
                    ?? throw WaveFlowException.ForFile(path, $"{prefix}{key} is a {PickleAllowList.Describe(value)}, not a tensor");
            }
        }
        // The weight-norm hook records which axis g normalises over (dim); fusion needs it.
        if (attributes.TryGet("_forward_pre_hooks", out var hooks) && hooks is PickleDict hookDict)
            foreach (var (_, hook) in hookDict)
                if (hook is PickleObject { ClassName: "torch.nn.utils.weight_norm.WeightNorm" } wn && wn.Attribute("dim") is long dim)
                    normDims[prefix.TrimEnd('.')] = dim;
        if (!attributes.TryGet("_modules", out var m) || m is null) return;
        if (m is not PickleDict children) throw WaveFlowException.ForFile(path, $"{where}._modules is a {PickleAllowList.Describe(m)}, not a dict");
        foreach (var (name, child) in children)
        {
            if (child is null) continue;
            if (child is not PickleObject childModule)
                throw WaveFlowException.ForFile(path, $"{prefix}{name} is a {PickleAllowList.Describe(child)}, not a module");
            Walk(childModule, $"{prefix}{name}.", state, normDims, path, depth + 1);
        }
    }

    /// <summary>torch.nn.DataParallel saves every key as "module.&lt;key&gt;"; drop the prefix when all keys have it.</summary>
    private static void StripDataParallelPrefix(Dictionary<string, FloatArray> state)
    {
        const string p = "module.";
        if (state.Count == 0 || !state.Keys.All(k => k.StartsWith(p, StringComparison.Ordinal))) return;
        foreach (var key in state.Keys.ToList())
        {
            state[key[p.Length..]] = state[key];
            state.Remove(key);
        }
    }
}
