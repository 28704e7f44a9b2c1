using System.Text.RegularExpressions;
using WaveFlow.Core;

namespace WaveFlow.Serve;

/// <summary>
/// One <c>--checkpoint [NAME=]CK</c> of <c>waveflow serve</c>: the name clients ask for
/// (<c>?model=NAME</c>) and the checkpoint file. Without a name, the file's name without its
/// extension names the model (<c>waveflow-small.safetensors</c> → <c>waveflow-small</c>).
/// </summary>
internal sealed partial record ModelSpec(string Name, string CheckpointPath)
{
    /// <summary>Parses <c>[NAME=]CK</c>; a prefix that is not a valid name belongs to the path.</summary>
    public static ModelSpec Parse(string text)
    {
        int eq = text.IndexOf('=');
        if (eq > 0 && ValidName().IsMatch(text[..eq]))
        {
            if (eq == text.Length - 1) throw new WaveFlowException($"--checkpoint {text}: no checkpoint file after '='");
            return new ModelSpec(text[..eq], text[(eq + 1)..]);
        }
        var name = Path.GetFileNameWithoutExtension(text);
        if (!ValidName().IsMatch(name))
            throw new WaveFlowException($"--checkpoint {text}: '{name}' is not a usable model name (letters, digits, '.', '_', '-'); name it: NAME={text}");
        return new ModelSpec(name, text);
    }

    /// <summary>Model names: what a query string carries without escaping.</summary>
    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")]
    public static partial Regex ValidName();
}
