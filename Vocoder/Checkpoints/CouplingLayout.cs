using System.Text.RegularExpressions;

namespace WaveFlow.Vocoder.Checkpoints;

/// <summary>
/// Which half of the channels conditions each affine coupling. Today's glow.py always lets WN read
/// the first half and transforms the second. NVIDIA's glow_old.py (the class of their first published
/// model) alternates: on odd flows WN reads the second half, the first half is transformed, and the
/// halves are joined back in that order:
/// <code>
/// if k%2 == 0:
///     audio_0 = audio[:,:n_half,:]; audio_1 = audio[:,n_half:,:]
/// else:
///     audio_1 = audio[:,:n_half,:]; audio_0 = audio[:,n_half:,:]
/// </code>
/// That is a different function for the same weights, and no permutation of weights can absorb it in
/// general: the swap would have to cross the early outputs and the final z, which are noise during
/// inference. So the loader reports it (<see cref="NvidiaCheckpointContents.AlternatingHalves"/>) and the
/// model must run that layout to reproduce such a checkpoint.
/// </summary>
internal static partial class CouplingLayout
{
    /// <summary>
    /// True for glow_old classes, and for legacy files whose embedded class source (old PyTorch pickled each
    /// module class's source text next to it) has glow_old's odd-flow split, whatever the module's name.
    /// </summary>
    public static bool IsAlternating(string modelClass, IReadOnlyDictionary<string, string> classSources) =>
        modelClass.StartsWith("glow_old.", StringComparison.Ordinal)
        || (classSources.TryGetValue(modelClass, out var source) && OddFlowSplit().IsMatch(source));

    // The odd-flow branch: "else:" followed by audio_1 taking the FIRST half.
    [GeneratedRegex(@"else\s*:\s*audio_1\s*=\s*audio\[\s*:\s*,\s*:\s*n_half\s*,\s*:\s*\]")]
    private static partial Regex OddFlowSplit();
}
