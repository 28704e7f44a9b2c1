using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using WaveFlow.Audio;
using WaveFlow.Core;
using WaveFlow.Core.Json;

namespace WaveFlow.Vocoder;

/// <summary>
/// NVIDIA's waveglow_config (n_mel_channels, n_flows, n_group, n_early_every, n_early_size,
/// WN_config {n_layers, n_channels, kernel_size}). Defaults are NVIDIA's published model.
/// </summary>
internal sealed record WaveGlowOptions
{
    [JsonPropertyName("n_mel_channels")] public int NMelChannels { get; init; } = 80;
    [JsonPropertyName("n_flows")] public int NFlows { get; init; } = 12;
    [JsonPropertyName("n_group")] public int NGroup { get; init; } = 8;
    [JsonPropertyName("n_early_every")] public int NEarlyEvery { get; init; } = 4;
    [JsonPropertyName("n_early_size")] public int NEarlySize { get; init; } = 2;
    [JsonPropertyName("WN_config")] public WNOptions WN { get; init; } = new();

    // Flow variants: NICE / RealNVP / Glow as configuration. Defaults are NVIDIA's.
    /// <summary>"affine" (WaveGlow, RealNVP) or "additive" (NICE: shift only, log-det 0).</summary>
    [JsonPropertyName("coupling")] public string Coupling { get; init; } = Couplings.Affine;
    /// <summary>"invertible-1x1" (Glow, NVIDIA), "lu-1x1" (Glow's LU form), "reverse" or "shuffle".</summary>
    [JsonPropertyName("permutation")] public string Permutation { get; init; } = Permutations.Invertible1x1;
    /// <summary>Seed of the "shuffle" permutations (flow k uses seed + k); the orders are also saved as buffers.</summary>
    [JsonPropertyName("permutation_seed")] public long PermutationSeed { get; init; }
    /// <summary>NICE's scaling layer: a learned per-channel log-scale of z (the prior's variance), counted in the NLL.</summary>
    [JsonPropertyName("prior_scale")] public bool PriorScale { get; init; }
    /// <summary>
    /// NVIDIA's first model (glow_old.py) swapped the halves on odd flows: WN read the second half
    /// and the coupling transformed the first. Set for checkpoints pickled from that class.
    /// </summary>
    [JsonPropertyName("alternating_halves")] public bool AlternatingHalves { get; init; }
    /// <summary>A harmonic source from predicted F0 in front of the flow (null: none, NVIDIA's design).</summary>
    [JsonPropertyName("harmonic_source")] public HarmonicSourceOptions? HarmonicSource { get; init; }

    /// <summary>Channels still flowing after the last early output (z's last block).</summary>
    [JsonIgnore] public int NRemainingChannels => ChannelsAtFlow(NFlows - 1);

    /// <summary>Channels entering flow <paramref name="k"/> (before its 1x1 convolution): n_early_size
    /// leave after every n_early_every-th flow. Closed form in 64 bits (a damaged config may hold any
    /// int), clamped to the int range.</summary>
    public int ChannelsAtFlow(int k)
    {
        if (k <= 0 || NEarlyEvery <= 0) return NGroup;
        long remaining = NGroup - (long)NEarlySize * (k / NEarlyEvery);
        return (int)Math.Clamp(remaining, int.MinValue, int.MaxValue);
    }

    /// <summary>Throws a one-line <see cref="WaveFlowException"/> naming the first bad key, as
    /// <paramref name="section"/>.key when the keys came from a section (e.g. "waveglow_config").</summary>
    public void Validate(string source, string? section = null)
    {
        string prefix = string.IsNullOrEmpty(section) ? "" : section + ".";
        void Check(bool ok, string key, string problem)
        {
            if (!ok) throw new WaveFlowException($"{source}: {prefix}{key} {problem}");
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
        HarmonicSource?.Validate(Check);
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
        if (HarmonicSource is { } source) obj["harmonic_source"] = source.ToJsonObject();
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
    /// Reads NVIDIA's config.json (its waveglow_config, and every other section checked as
    /// <see cref="Checkpoints.ModelConfigFile"/> does) or a waveglow_config object stored alone.
    /// Missing keys take NVIDIA's defaults; unknown or repeated keys and wrong types fail naming
    /// the key; validated.
    /// </summary>
    public static WaveGlowOptions Parse(string json, string source) => Parse(System.Text.Encoding.UTF8.GetBytes(json), source);

    /// <inheritdoc cref="Parse(string, string)"/>
    public static WaveGlowOptions Parse(byte[] utf8, string source)
    {
        if (StrictJson.HasAnyKey(utf8, ConfigSections.All))
            return Checkpoints.ModelConfigFile.Parse(utf8, source).Options;
        var options = StrictJson.Parse<WaveGlowOptions>(utf8, source);
        options.Validate(source);
        return options;
    }

    public static WaveGlowOptions Load(string path)
    {
        if (!File.Exists(path)) throw WaveFlowException.ForFile(path, "file not found");
        return Parse(File.ReadAllBytes(path), path);
    }
}
