using System.Runtime.InteropServices;
using System.Text;

namespace WaveFlow.Core.Runtime;

/// <summary>One CUDA device as the driver reports it.</summary>
internal sealed record CudaDeviceInfo(int Index, string Name, long TotalBytes);
