using TorchSharp;
using WaveFlow.Core.Runtime;
using WaveFlow.Vocoder;

namespace WaveFlow.Evaluation.Benchmarks;

/// <summary>A one-line description of where a benchmark ran: CPU, threads, GPU.</summary>
internal sealed record BenchMachine(string Line, string Cpu)
{
    public static BenchMachine Describe(torch.Device device)
    {
        string cpu = CpuModel();
        string line = $"{cpu}, {Environment.ProcessorCount} logical CPUs, libtorch threads {torch.get_num_threads()} (inter-op {torch.get_num_interop_threads()}), device {device}";
        if (device.type == DeviceType.CPU)
            line += $"; oneMKL: {MklVendorDispatch.Status}; heap: {NativeHeap.Status}; bfloat16: {CpuFeatures.Bf16Shortfall ?? "native (AVX-512 BF16/AMX)"}";
        if (device.type == DeviceType.CUDA)
        {
            int index = device.index < 0 ? 0 : device.index;
            var gpu = CudaDevices.List().FirstOrDefault(d => d.Index == index);
            if (gpu is not null) line += $" ({gpu.Name}, {gpu.TotalBytes / (1024.0 * 1024 * 1024):F0} GiB)";
        }
        return new BenchMachine(line, cpu);
    }

    /// <summary>/proc/loadavg's three averages ("n/a" elsewhere): other work on the machine skews CPU timings.</summary>
    public static string LoadAverage()
    {
        try { return OperatingSystem.IsLinux() ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a"; }
        catch (IOException) { return "n/a"; }
    }

    private static string CpuModel()
    {
        try
        {
            if (OperatingSystem.IsLinux())
                foreach (var line in File.ReadLines("/proc/cpuinfo"))
                    if (line.StartsWith("model name", StringComparison.Ordinal)) return line[(line.IndexOf(':') + 1)..].Trim();
        }
        catch (IOException) { }
        return System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture.ToString();
    }
}
