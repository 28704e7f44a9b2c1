using TorchSharp;

namespace WaveFlow.Core.Runtime;

/// <summary>
/// The global <c>--device auto|cpu|cuda[:N]</c> convention shared by every command.
/// auto means the first CUDA device when one is available, else the CPU.
/// </summary>
internal static class DeviceSpec
{
    /// <summary><paramref name="spec"/> → a device; errors name it as <paramref name="name"/> (the option or parameter).</summary>
    public static torch.Device Resolve(string? spec, string name = "--device")
    {
        TorchRuntime.EnsureLoaded();
        var s = (spec ?? "auto").Trim().ToLowerInvariant();
        if (s is "" or "auto")
            return torch.cuda.is_available() ? new torch.Device(DeviceType.CUDA, 0) : torch.CPU;
        if (s == "cpu") return torch.CPU;
        if (s == "cuda" || s.StartsWith("cuda:", StringComparison.Ordinal))
        {
            int index = 0;
            if (s.Length > 4 && !int.TryParse(s.AsSpan(5), out index))
                throw new WaveFlowException($"{name} {spec}: expected auto, cpu, cuda or cuda:N");
            if (!torch.cuda.is_available())
                throw new WaveFlowException($"{name} {spec}: CUDA is not available in this build or on this machine (see 'waveflow info')");
            int count = torch.cuda.device_count();
            if (index < 0 || index >= count)
                throw new WaveFlowException($"{name} {spec}: only {count} CUDA device(s) present");
            return new torch.Device(DeviceType.CUDA, index);
        }
        throw new WaveFlowException($"{name} {spec}: expected auto, cpu, cuda or cuda:N");
    }
}
