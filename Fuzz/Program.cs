using WaveFlow.Core;
using WaveFlow.Fuzz;

// waveflow-fuzz: the AFL++ harness of every loader (scripts/fuzz.sh drives it).
//   waveflow-fuzz afl TARGET          the SharpFuzz loop under afl-fuzz (input on stdin/shared memory)
//   waveflow-fuzz replay TARGET FILE… each file once; exit 1 when any breaks the loader contract
//   waveflow-fuzz seeds DIR REPO      (re)writes the seed corpus of every target into DIR/TARGET/
//   waveflow-fuzz list                target names and the loader each one drives
try
{
    switch (args)
    {
        case ["afl", var name]:
            RunAfl(FuzzTargets.Get(name));
            return 0;
        case ["replay", var name, .. var files]:
            return Replay(FuzzTargets.Get(name), files);
        case ["seeds", var dir, var repository]:
            SeedWriter.WriteAll(dir, repository);
            return 0;
        case ["list"]:
            foreach (var t in FuzzTargets.All) Console.WriteLine($"{t.Name,-12} {t.Loader}");
            return 0;
        default:
            Console.Error.WriteLine("usage: waveflow-fuzz afl TARGET | replay TARGET FILE... | seeds DIR REPO | list");
            return 2;
    }
}
catch (WaveFlowException e)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return e.ExitCode;
}

static void RunAfl(FuzzTarget target)
{
    // One scratch path per process: the checkpoint target writes its input there.
    string scratch = Path.Combine(Path.GetTempPath(), $"waveflow-fuzz-{Environment.ProcessId}{target.Extension}");
    SharpFuzz.Fuzzer.Run(stream =>
    {
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        // Accepted or refused with a WaveFlowException: both are fine. Anything else escapes and
        // is reported to afl-fuzz as a crash (FuzzDefectException included).
        FuzzCheck.Run(target, buffer.ToArray(), scratch);
    });
}

static int Replay(FuzzTarget target, string[] files)
{
    int defects = 0;
    string scratch = Path.Combine(Path.GetTempPath(), $"waveflow-fuzz-{Environment.ProcessId}{target.Extension}");
    foreach (var file in files)
    {
        try
        {
            string? refusal = FuzzCheck.Run(target, File.ReadAllBytes(file), scratch);
            Console.WriteLine($"{file}: {(refusal is null ? "accepted" : "refused cleanly: " + refusal)}");
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            defects++;
            Console.WriteLine($"{file}: DEFECT {e.GetType().Name}: {e.Message.Split('\n')[0]}");
        }
    }
    if (File.Exists(scratch)) File.Delete(scratch);
    return defects == 0 ? 0 : 1;
}
