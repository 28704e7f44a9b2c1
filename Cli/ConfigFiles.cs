using WaveFlow.Audio;
using WaveFlow.Core;
using WaveFlow.Core.Json;
using WaveFlow.Training.Config;

namespace WaveFlow.Cli;

/// <summary>
/// A command's <c>--config</c>, read the same way by every command. A sectioned config (NVIDIA's
/// config.json layout) is checked whole, as <c>train</c> reads it: all four sections key by key,
/// so a misspelt or repeated key, a wrong type or <c>mel_fmax: null</c> (the Nyquist frequency)
/// gets the same answer from train, synthesize, bench, mel and every other command. A single
/// section stored alone (a bare waveglow_config, or the mel keys alone) is read by that section's
/// reader, which is just as strict.
/// </summary>
internal static class ConfigFiles
{
    /// <summary>The whole config when <paramref name="path"/> is a sectioned config; null for a
    /// single section stored alone or no path. Errors name the file and the key.</summary>
    public static TrainingConfig? CheckWhole(string? path)
    {
        if (path is null) return null;
        if (!File.Exists(path)) throw WaveFlowException.ForFile(path, "file not found");
        return StrictJson.HasAnyKey(File.ReadAllBytes(path), ConfigSections.All) ? TrainingConfig.Load(path) : null;
    }

    /// <summary>The mel settings of a config (NVIDIA's defaults without one).</summary>
    public static MelOptions Mel(string? path) =>
        path is null ? new MelOptions() : CheckWhole(path)?.Mel ?? MelOptions.Load(path);
}
