using System.Diagnostics;
using System.Text;

namespace WaveFlow.Tests.Training.Distributed;

/// <summary>
/// Starts <c>waveflow</c> as real child processes: under Open MPI's <c>mpirun</c> (one process
/// per rank, oversubscribed on a small machine, allowed to run as root as CI does) or alone.
/// Every job has a time limit after which its whole process group is killed, so a test of a
/// hang fails instead of hanging the suite.
/// </summary>
internal static class MpiJob
{
    public static string? Mpirun => FindOnPath("mpirun");

    /// <summary>Skips the calling test where Open MPI is missing, except in CI, which installs it
    /// (there a missing mpirun must fail, not pass as skipped).</summary>
    public static void RequireMpirun()
    {
        if (Mpirun is not null) return;
        if (Environment.GetEnvironmentVariable("CI") == "true")
            throw new InvalidOperationException("mpirun not found in CI; .ci/run installs openmpi-bin");
        Skip.If(true, "Open MPI is not installed (apt-get install openmpi-bin libopenmpi-dev)");
    }

    private static string WaveflowDll => Path.Combine(AppContext.BaseDirectory, "waveflow.dll");

    private static string Dotnet =>
        Environment.ProcessPath is { } p && Path.GetFileNameWithoutExtension(p) == "dotnet" ? p : "dotnet";

    /// <summary>mpirun -np <paramref name="ranks"/> waveflow ARGS.</summary>
    public static JobResult Run(int ranks, IEnumerable<string> args, TimeSpan limit, IDictionary<string, string>? env = null, Action<Process>? whileRunning = null) =>
        Start("mpirun", [.. MpirunOptions(), "-np", ranks.ToString(), Dotnet, WaveflowDll, .. args], limit, env, whileRunning);

    /// <summary>mpirun with several app contexts (MPMD): one argument list per rank.</summary>
    public static JobResult RunEach(IReadOnlyList<string[]> perRank, TimeSpan limit)
    {
        var args = new List<string>(MpirunOptions());
        for (int i = 0; i < perRank.Count; i++)
        {
            if (i > 0) args.Add(":");
            args.AddRange(["-np", "1", Dotnet, WaveflowDll, .. perRank[i]]);
        }
        return Start("mpirun", args, limit, null, null);
    }

    /// <summary>waveflow ARGS as one plain process (no launcher).</summary>
    public static JobResult Alone(IEnumerable<string> args, TimeSpan limit, IDictionary<string, string>? env = null, Action<Process>? whileRunning = null) =>
        Start(Dotnet, [WaveflowDll, .. args], limit, env, whileRunning);

    private static string[] MpirunOptions() =>
        ["--allow-run-as-root", "--oversubscribe", "--bind-to", "none", "--mca", "btl", "self,vader,tcp", "--mca", "btl_tcp_if_include", "lo"];

    private static JobResult Start(string file, IEnumerable<string> args, TimeSpan limit, IDictionary<string, string>? env, Action<Process>? whileRunning)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) info.ArgumentList.Add(a);
        info.Environment["OMPI_ALLOW_RUN_AS_ROOT"] = "1";
        info.Environment["OMPI_ALLOW_RUN_AS_ROOT_CONFIRM"] = "1";
        info.Environment["OMPI_MCA_rmaps_base_oversubscribe"] = "1";
        info.Environment["DOTNET_gcServer"] = "0";
        foreach (var (k, v) in env ?? new Dictionary<string, string>()) info.Environment[k] = v;
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(info)!;
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (stdout) stdout.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (stderr) stderr.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        whileRunning?.Invoke(process);
        bool done = process.WaitForExit((int)limit.TotalMilliseconds);
        if (!done) process.Kill(entireProcessTree: true);
        process.WaitForExit();
        lock (stdout) lock (stderr)
            return new JobResult(done ? process.ExitCode : -1, stdout.ToString(), stderr.ToString(), clock.Elapsed, !done);
    }

    /// <summary>The pids of this job's waveflow ranks (children of mpirun), found through /proc.</summary>
    public static IReadOnlyList<int> RankPids(Process mpirun)
    {
        var pids = new List<int>();
        foreach (var dir in Directory.GetDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out int pid)) continue;
            try
            {
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                if (int.Parse(fields[1]) != mpirun.Id) continue;
                var cmd = File.ReadAllText(Path.Combine(dir, "cmdline"));
                if (cmd.Contains("waveflow.dll", StringComparison.Ordinal)) pids.Add(pid);
            }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
        return pids;
    }

    private static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(d => Path.Combine(d, name)).FirstOrDefault(File.Exists);
}
