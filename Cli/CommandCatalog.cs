using System.CommandLine;
using System.Reflection;

namespace WaveFlow.Cli;

/// <summary>
/// Every subcommand of waveflow. Each lives in its own file under Commands/ as a static class
/// named <c>XxxCommand</c> with <c>public static Command Create()</c>; they are discovered here,
/// so adding a command never touches a shared list. <see cref="Order"/> fixes the --help order.
/// </summary>
internal static class CommandCatalog
{
    static readonly string[] Order =
        ["synthesize", "export", "serve", "encode", "train", "compare", "compare-results", "eval", "score", "study", "bench", "mel", "griffinlim", "info"];

    public static IEnumerable<Command> All()
    {
        var commands = typeof(CommandCatalog).Assembly.GetTypes()
            .Where(t => t is { IsAbstract: true, IsSealed: true } && t.Namespace == "WaveFlow.Cli.Commands" && t.Name.EndsWith("Command", StringComparison.Ordinal))
            .Select(t => t.GetMethod("Create", BindingFlags.Public | BindingFlags.Static, Type.EmptyTypes))
            .Where(m => m is not null && m.ReturnType == typeof(Command))
            .Select(m => (Command)m!.Invoke(null, null)!)
            .ToList();
        int Rank(Command c) { int i = Array.IndexOf(Order, c.Name); return i < 0 ? Order.Length : i; }
        return commands.OrderBy(Rank).ThenBy(c => c.Name, StringComparer.Ordinal);
    }
}
