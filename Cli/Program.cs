using System.CommandLine;
using WaveFlow.Cli;
using WaveFlow.Vocoder;

// waveflow: one thin command per file under Commands/; every command is listed in CommandCatalog.
var root = new RootCommand("WaveFlow: a WaveGlow-style neural vocoder (mel spectrogram -> speech).");
root.Options.Add(GlobalOptions.Device);
root.Options.Add(GlobalOptions.Verbose);
root.Options.Add(GlobalOptions.Threads);
foreach (var command in CommandCatalog.All()) root.Subcommands.Add(command);
foreach (var option in root.Options.OfType<VersionOption>()) option.Action = new VersionAction();

var parse = root.Parse(args);
if (ErrorReporter.ReportParseErrors(parse) is { } parseFailure) return parseFailure;
try
{
    return parse.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
}
catch (Exception e)
{
    return ErrorReporter.Report(e, parse.GetValue(GlobalOptions.Verbose));
}
