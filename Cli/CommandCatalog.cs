using System.CommandLine;
using WaveFlow.Cli.Commands;

namespace WaveFlow.Cli;

/// <summary>Every subcommand of waveflow, in the order --help lists them.</summary>
public static class CommandCatalog
{
    public static IEnumerable<Command> All()
    {
        yield return InfoCommand.Create();
    }
}
