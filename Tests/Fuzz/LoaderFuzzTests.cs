using System.Diagnostics;
using WaveFlow.Core;
using WaveFlow.Fuzz;
using WaveFlow.Tests.Support;
using Xunit.Abstractions;

namespace WaveFlow.Tests.Fuzz;

/// <summary>
/// Every loader against thousands of seeded mutants of valid files (<see cref="Mutator"/>) and
/// against the regression corpus that AFL++ runs left (<c>Fuzz/regressions/TARGET/</c>,
/// <c>scripts/fuzz.sh</c>). Each input must be accepted or refused with a one-line
/// <see cref="WaveFlowException"/> naming the file, within <see cref="FuzzCheck.AllocationLimit"/>
/// managed bytes and <see cref="PerInputLimit"/>. Deterministic: the same seeds every run, so a
/// failure names the mutant that reproduces it (and leaves its bytes in the temp folder).
/// </summary>
[Collection(nameof(FuzzCollection))]
public class LoaderFuzzTests(ITestOutputHelper output)
{
    /// <summary>2,000 per target in CI (about 20 s for all nine); WAVEFLOW_FUZZ_MUTANTS raises it for a longer local run.</summary>
    public static readonly int MutantsPerTarget =
        int.TryParse(Environment.GetEnvironmentVariable("WAVEFLOW_FUZZ_MUTANTS"), out int n) && n > 0 ? n : 2000;

    /// <summary>A hang detector, not a speed target: the slowest accepted input (a checkpoint whose
    /// model is built and loaded) takes milliseconds, so 10 s means a loop gone wrong.</summary>
    public static readonly TimeSpan PerInputLimit = TimeSpan.FromSeconds(10);

    public static TheoryData<string> Targets() => new(FuzzTargets.All.Select(t => t.Name));

    private static string SeedsOf(string target) => Path.Combine(AppContext.BaseDirectory, "fuzz", "seeds", target);
    private static string RegressionsOf(string target) => Path.Combine(AppContext.BaseDirectory, "fuzz", "regressions", target);

    [Theory, MemberData(nameof(Targets))]
    public void EverySeedLoads(string name)
    {
        var target = FuzzTargets.Get(name);
        var seeds = Directory.GetFiles(SeedsOf(name));
        Assert.NotEmpty(seeds);
        using var dir = new TempDir();
        foreach (var seed in seeds)
            Assert.Null(FuzzCheck.Run(target, File.ReadAllBytes(seed), Path.Combine(dir.Path, "seed" + target.Extension)));
    }

    [Theory, MemberData(nameof(Targets))]
    public void MutantsAreAcceptedOrRefusedCleanly(string name)
    {
        var target = FuzzTargets.Get(name);
        var seeds = Directory.GetFiles(SeedsOf(name)).Order(StringComparer.Ordinal).Select(File.ReadAllBytes).ToArray();
        var mutator = new Mutator(StableSeed(name));
        using var dir = new TempDir();
        string path = Path.Combine(dir.Path, "input" + target.Extension);
        int accepted = 0, refused = 0;
        var defects = new List<string>();
        var watch = Stopwatch.StartNew();
        for (int i = 0; i < MutantsPerTarget && defects.Count < 5; i++)
        {
            var input = mutator.Mutate(seeds[i % seeds.Length]);
            switch (RunOne(target, input, path))
            {
                case { Defect: { } defect }: defects.Add($"mutant {i}: {defect} (bytes in {Keep(name, i, input)})"); break;
                case { Accepted: true }: accepted++; break;
                default: refused++; break;
            }
        }
        output.WriteLine($"{name}: {accepted} accepted, {refused} refused cleanly, {defects.Count} defects, in {watch.Elapsed.TotalSeconds:F1} s");
        Assert.True(defects.Count == 0, string.Join("\n", defects));
        // Not vacuous: the mutants reach both outcomes (the refusals are the point; acceptances show
        // the mutations also leave files that parse and exercise the code past the header checks).
        Assert.True(refused > MutantsPerTarget / 5, $"only {refused} of {MutantsPerTarget} mutants were refused");
        Assert.True(accepted > 0, "no mutant was accepted");
    }

    [Theory, MemberData(nameof(Targets))]
    public void RegressionCorpusIsAcceptedOrRefusedCleanly(string name)
    {
        var target = FuzzTargets.Get(name);
        var files = Directory.Exists(RegressionsOf(name)) ? Directory.GetFiles(RegressionsOf(name)) : [];
        using var dir = new TempDir();
        var defects = files.Select(f => (f, RunOne(target, File.ReadAllBytes(f), Path.Combine(dir.Path, "input" + target.Extension)).Defect))
            .Where(x => x.Defect is not null).Select(x => $"{Path.GetFileName(x.f)}: {x.Defect}").ToList();
        output.WriteLine($"{name}: {files.Length} regression inputs replayed");
        Assert.True(defects.Count == 0, string.Join("\n", defects));
    }

    private sealed record Outcome(bool Accepted, string? Defect);

    /// <summary>One input on a worker thread (allocation is counted on it), given <see cref="PerInputLimit"/>.</summary>
    private static Outcome RunOne(FuzzTarget target, byte[] input, string path)
    {
        var task = Task.Run(() =>
        {
            try { return new Outcome(FuzzCheck.Run(target, input, path) is null, null); }
            catch (Exception e) { return new Outcome(false, $"{e.GetType().Name}: {e.Message.Split('\n')[0]}"); }
        });
        return task.Wait(PerInputLimit) ? task.Result : new Outcome(false, $"no result within {PerInputLimit.TotalSeconds} s (a hang?)");
    }

    /// <summary>Saves a failing input where a person can look at it: on purpose not a <c>TempDir</c>,
    /// which would delete it when the test ends.</summary>
    private static string Keep(string target, int index, byte[] input)
    {
        string dir = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "waveflow-fuzz-failures", target)).FullName;
        string file = Path.Combine(dir, $"mutant-{index}");
        File.WriteAllBytes(file, input);
        return file;
    }

    /// <summary>A seed that does not change between runs or .NET versions (string.GetHashCode does).</summary>
    private static int StableSeed(string name) => name.Aggregate(17, (h, c) => h * 31 + c);
}
