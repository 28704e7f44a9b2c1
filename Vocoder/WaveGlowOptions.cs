using System.Text.Json;
using System.Text.Json.Nodes;
using WaveFlow.Core;

namespace WaveFlow.Vocoder;

/// <summary>WN_config of NVIDIA's config.json: the WaveNet-like network inside each coupling.</summary>
internal sealed record WNOptions(int NLayers = 8, int NChannels = 256, int KernelSize = 3);

/// <summary>
/// NVIDIA's waveglow_config (n_mel_channels, n_flows, n_group, n_early_every, n_early_size,
/// WN_config {n_layers, n_channels, kernel_size}). Defaults are NVIDIA's published model.
/// </summary>
internal sealed record WaveGlowOptions
{
    public int NMelChannels { get; init; } = 80;
    public int NFlows { get; init; } = 12;
    public int NGroup { get; init; } = 8;
    public int NEarlyEvery { get; init; } = 4;
    public int NEarlySize { get; init; } = 2;
    public WNOptions WN { get; init; } = new();

    // Flow variants: NICE / RealNVP / Glow as configuration. Defaults are NVIDIA's.
    /// <summary>"affine" (WaveGlow, RealNVP) or "additive" (NICE: shift only, log-det 0).</summary>
    public string Coupling { get; init; } = Couplings.Affine;
    /// <summary>"invertible-1x1" (Glow, NVIDIA), "lu-1x1" (Glow's LU form), "reverse" or "shuffle".</summary>
    public string Permutation { get; init; } = Permutations.Invertible1x1;
    /// <summary>Seed of the "shuffle" permutations (flow k uses seed + k); the orders are also saved as buffers.</summary>
    public long PermutationSeed { get; init; }
    /// <summary>NICE's scaling layer: a learned per-channel log-scale of z (the prior's variance), counted in the NLL.</summary>
    public bool PriorScale { get; init; }
    /// <summary>
    /// NVIDIA's first model (glow_old.py) swapped the halves on odd flows: WN read the second half
    /// and the coupling transformed the first. Set for checkpoints pickled from that class.
    /// </summary>
    public bool AlternatingHalves { get; init; }

    /// <summary>Channels still flowing after the last early output (z's last block).</summary>
    public int NRemainingChannels => ChannelsAtFlow(NFlows - 1);

    /// <summary>Channels entering flow <paramref name="k"/> (before its 1x1 convolution): n_early_size
    /// leave after every n_early_every-th flow. Closed form in 64 bits (a damaged config may hold any
    /// int), clamped to the int range.</summary>
    public int ChannelsAtFlow(int k)
    {
        if (k <= 0 || NEarlyEvery <= 0) return NGroup;
        long remaining = NGroup - (long)NEarlySize * (k / NEarlyEvery);
        return (int)Math.Clamp(remaining, int.MinValue, int.MaxValue);
    }

    /// <summary>Throws a one-line <see cref="WaveFlowException"/> naming the first bad key.</summary>
    public void Validate(string source)
    {
        void Check(bool ok, string key, string problem)
        {
            if (!ok) throw new WaveFlowException($"{source}: {key} {problem}");
        }
        Check(NMelChannels > 0, "n_mel_channels", $"must be positive, got {NMelChannels}");
        Check(NFlows > 0, "n_flows", $"must be positive, got {NFlows}");
        Check(NGroup >= 2 && NGroup % 2 == 0, "n_group", $"must be even and at least 2, got {NGroup}");
        Check(NEarlyEvery > 0, "n_early_every", $"must be positive, got {NEarlyEvery}");
        Check(NEarlySize >= 0 && NEarlySize % 2 == 0, "n_early_size", $"must be even and not negative, got {NEarlySize}");
        Check(NRemainingChannels >= 2, "n_early_size",
            $"{NEarlySize} every {NEarlyEvery} flows leaves {NRemainingChannels} of n_group {NGroup} channels (need at least 2)");
        Check(WN.NLayers > 0, "WN_config.n_layers", $"must be positive, got {WN.NLayers}");
        Check(WN.NChannels > 0 && WN.NChannels % 2 == 0, "WN_config.n_channels", $"must be even and positive, got {WN.NChannels}");
        Check(WN.KernelSize > 0 && WN.KernelSize % 2 == 1, "WN_config.kernel_size", $"must be odd and positive, got {WN.KernelSize}");
        Check(Couplings.All.Contains(Coupling), "coupling", $"must be one of {string.Join(", ", Couplings.All)}, got \"{Coupling}\"");
        Check(Permutations.All.Contains(Permutation), "permutation", $"must be one of {string.Join(", ", Permutations.All)}, got \"{Permutation}\"");
    }

    /// <summary>The waveglow_config object with NVIDIA's keys (variant keys only when not the default).</summary>
    public JsonObject ToJsonObject()
    {
        var obj = NvidiaKeys();
        if (Coupling != Couplings.Affine) obj["coupling"] = Coupling;
        if (Permutation != Permutations.Invertible1x1) obj["permutation"] = Permutation;
        if (PermutationSeed != 0) obj["permutation_seed"] = PermutationSeed;
        if (PriorScale) obj["prior_scale"] = true;
        if (AlternatingHalves) obj["alternating_halves"] = true;
        return obj;
    }

    private JsonObject NvidiaKeys() => new()
    {
        ["n_mel_channels"] = NMelChannels,
        ["n_flows"] = NFlows,
        ["n_group"] = NGroup,
        ["n_early_every"] = NEarlyEvery,
        ["n_early_size"] = NEarlySize,
        ["WN_config"] = new JsonObject
        {
            ["n_layers"] = WN.NLayers,
            ["n_channels"] = WN.NChannels,
            ["kernel_size"] = WN.KernelSize,
        },
    };

    public string ToJson() => ToJsonObject().ToJsonString();

    /// <summary>
    /// Reads a waveglow_config object. Missing keys take NVIDIA's defaults; a key of the wrong
    /// type or an unknown key fails naming the key.
    /// </summary>
    public static WaveGlowOptions FromJson(JsonObject obj, string source)
    {
        var o = new WaveGlowOptions();
        var wn = new WNOptions();
        foreach (var (key, value) in obj)
        {
            switch (key)
            {
                case "n_mel_channels": o = o with { NMelChannels = Int(value, key, source) }; break;
                case "n_flows": o = o with { NFlows = Int(value, key, source) }; break;
                case "n_group": o = o with { NGroup = Int(value, key, source) }; break;
                case "n_early_every": o = o with { NEarlyEvery = Int(value, key, source) }; break;
                case "n_early_size": o = o with { NEarlySize = Int(value, key, source) }; break;
                case "coupling": o = o with { Coupling = Str(value, key, source) }; break;
                case "permutation": o = o with { Permutation = Str(value, key, source) }; break;
                case "permutation_seed": o = o with { PermutationSeed = Int(value, key, source) }; break;
                case "prior_scale":
                    o = o with { PriorScale = value is JsonValue b && b.TryGetValue(out bool flag) ? flag
                        : throw new WaveFlowException($"{source}: prior_scale must be true or false, got {value?.ToJsonString() ?? "null"}") };
                    break;
                case "alternating_halves":
                    o = o with { AlternatingHalves = value is JsonValue ah && ah.TryGetValue(out bool alt) ? alt
                        : throw new WaveFlowException($"{source}: alternating_halves must be true or false, got {value?.ToJsonString() ?? "null"}") };
                    break;
                case "WN_config":
                    if (value is not JsonObject wnObj) throw new WaveFlowException($"{source}: WN_config must be an object");
                    foreach (var (wkey, wvalue) in wnObj)
                    {
                        string full = "WN_config." + wkey;
                        wn = wkey switch
                        {
                            "n_layers" => wn with { NLayers = Int(wvalue, full, source) },
                            "n_channels" => wn with { NChannels = Int(wvalue, full, source) },
                            "kernel_size" => wn with { KernelSize = Int(wvalue, full, source) },
                            _ => throw new WaveFlowException($"{source}: {full} is not a WN_config key (n_layers, n_channels, kernel_size)"),
                        };
                    }
                    break;
                default:
                    throw new WaveFlowException($"{source}: {key} is not a waveglow_config key");
            }
        }
        o = o with { WN = wn };
        o.Validate(source);
        return o;
    }

    /// <summary>Parses either a whole NVIDIA config.json (with "waveglow_config") or the object alone.</summary>
    public static WaveGlowOptions Parse(string json, string source)
    {
        var root = ParseObject(json, source);
        if (root["waveglow_config"] is JsonNode inner)
            return FromJson(inner as JsonObject ?? throw new WaveFlowException($"{source}: waveglow_config must be an object"), source);
        return FromJson(root, source);
    }

    public static WaveGlowOptions Load(string path)
    {
        if (!File.Exists(path)) throw WaveFlowException.ForFile(path, "file not found");
        return Parse(File.ReadAllText(path), path);
    }

    /// <summary>A JSON object, every nested object included checked for keys that appear twice
    /// (JsonObject would otherwise throw ArgumentException on first use, far from the file).</summary>
    public static JsonObject ParseObject(string json, string source)
    {
        JsonObject root;
        try
        {
            root = JsonNode.Parse(json) as JsonObject ?? throw new WaveFlowException($"{source}: not a JSON object");
        }
        catch (JsonException e)
        {
            throw new WaveFlowException($"{source}: malformed JSON ({e.Message.Split('\n')[0]})");
        }
        try { Materialize(root); }
        catch (ArgumentException e) { throw new WaveFlowException($"{source}: a key appears twice in one object ({e.Message.Split('\n')[0]})"); }
        return root;
    }

    private static void Materialize(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject o: foreach (var (_, v) in o) Materialize(v); break;
            case JsonArray a: foreach (var v in a) Materialize(v); break;
        }
    }

    private static string Str(JsonNode? node, string key, string source) =>
        node is JsonValue v && v.TryGetValue(out string? text) ? text
        : throw new WaveFlowException($"{source}: {key} must be a string, got {node?.ToJsonString() ?? "null"}");

    private static int Int(JsonNode? node, string key, string source)
    {
        if (node is JsonValue v && v.TryGetValue(out int i)) return i;
        if (node is JsonValue d && d.TryGetValue(out double x) && x == Math.Floor(x) && Math.Abs(x) < int.MaxValue) return (int)x;
        throw new WaveFlowException($"{source}: {key} must be an integer, got {node?.ToJsonString() ?? "null"}");
    }
}
