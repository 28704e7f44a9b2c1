namespace WaveFlow.Vocoder;

/// <summary>
/// Whether this CPU computes bfloat16 natively. libtorch's bfloat16 convolutions and matrix
/// products go through oneDNN, which uses the AVX-512 BF16 dot product (vdpbf16ps) or AMX tiles
/// when the CPU has them; without them every bfloat16 value is widened to float32 around float32
/// arithmetic, so bfloat16 is slower than plain float32 instead of about twice as fast.
/// </summary>
internal static class CpuFeatures
{
    /// <summary>Null when the CPU has AVX-512 BF16, AMX-BF16 (x86) or BF16 (Arm); otherwise one
    /// sentence saying what bfloat16 will cost here.</summary>
    public static string? Bf16Shortfall { get; } = Probe(ReadFlags());

    /// <summary>The shortfall for a CPU with these /proc/cpuinfo flags (null: unknown system).</summary>
    internal static string? Probe(IReadOnlySet<string>? flags)
    {
        if (flags is null)
            return "could not read the CPU's features (no /proc/cpuinfo); bfloat16 is fast only with AVX-512 BF16 or AMX, otherwise slower than fp32";
        if (flags.Contains("avx512_bf16") || flags.Contains("amx_bf16") || flags.Contains("bf16")) return null;
        return "this CPU has no AVX-512 BF16 or AMX-BF16 instructions: bfloat16 is emulated through float32 and runs slower than fp32; use fp32";
    }

    /// <summary>The feature flags of the first CPU in /proc/cpuinfo ("flags" on x86, "Features" on Arm).</summary>
    private static IReadOnlySet<string>? ReadFlags()
    {
        const string path = "/proc/cpuinfo";
        try
        {
            if (!File.Exists(path)) return null;
            foreach (var line in File.ReadLines(path))
            {
                int colon = line.IndexOf(':');
                if (colon < 0) continue;
                var key = line[..colon].Trim();
                if (key is "flags" or "Features")
                    return line[(colon + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal);
            }
            return null;
        }
        catch (IOException) { return null; }
        catch (UnauthorizedAccessException) { return null; }
    }
}
