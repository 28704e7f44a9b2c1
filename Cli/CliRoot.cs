using System.CommandLine;

namespace WaveFlow.Cli;

/// <summary>The <c>waveflow</c> command line: global options and every command of <see cref="CommandCatalog"/>.
/// Built here once, for Program and for tests that run the CLI in-process.</summary>
internal static class CliRoot
{
    public static RootCommand Create()
    {
        var root = new RootCommand("WaveFlow: a WaveGlow-style neural vocoder (mel spectrogram -> speech).");
        root.Options.Add(GlobalOptions.Device);
        root.Options.Add(GlobalOptions.Verbose);
        root.Options.Add(GlobalOptions.Threads);
        foreach (var command in CommandCatalog.All()) root.Subcommands.Add(command);
        foreach (var option in root.Options.OfType<VersionOption>()) option.Action = new VersionAction();
        return root;
    }
}
