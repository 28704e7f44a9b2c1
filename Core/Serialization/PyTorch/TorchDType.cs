using System.Buffers.Binary;

namespace WaveFlow.Core.Serialization.PyTorch;

/// <summary>The element types of torch storages we can widen or narrow to float32.</summary>
internal enum TorchDType { Float32, Float16, BFloat16, Float64, Int64, Int32, Int16, Int8, UInt8, Bool }
