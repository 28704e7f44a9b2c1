using System.CommandLine;
using WaveFlow.Cli;
using WaveFlow.Vocoder;

// waveflow: one thin command per file under Commands/; every command is listed in CommandCatalog.
var root = CliRoot.Create();

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
