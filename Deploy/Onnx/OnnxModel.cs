using Microsoft.ML.OnnxRuntime;
using WaveFlow.Core;

namespace WaveFlow.Onnx;

/// <summary>
/// A WaveFlow ONNX model in an ONNX Runtime session: the file is checked (readable by ONNX
/// Runtime, WaveFlow's metadata, the inputs <c>mel</c> and <c>z</c> and the output <c>audio</c> as
/// float32 of the right ranks) and <see cref="Run"/> maps one mel window and its noise to audio.
/// Every problem with the file is one <see cref="WaveFlowException"/> line naming it (exit code 2).
/// </summary>
internal sealed class OnnxModel : IDisposable
{
    private static readonly string[] InputNames = [OnnxModelFormat.MelInput, OnnxModelFormat.NoiseInput];
    private static readonly string[] OutputNames = [OnnxModelFormat.AudioOutput];
    private readonly InferenceSession session;

    public OnnxModelDescription Description { get; }

    /// <summary>The execution provider the session runs on: <c>cpu</c> or <c>cuda:N</c>.</summary>
    public string Device { get; }

    public string Path { get; }

    /// <param name="path">the .onnx file</param>
    /// <param name="device">auto, cpu, cuda or cuda:N</param>
    /// <param name="threads">ONNX Runtime's intra-op threads (null: its default, one per physical core)</param>
    public OnnxModel(string path, string device = "auto", int? threads = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path)) throw WaveFlowException.ForFile(path, "file not found");
        Path = path;
        using var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
        if (threads is { } n)
        {
            if (n < 1) throw new WaveFlowException($"threads {n}: must be at least 1");
            options.IntraOpNumThreads = n;
        }
        Device = ChooseDevice(device, options);
        try { session = new InferenceSession(path, options); }
        catch (OnnxRuntimeException e)
        {
            throw WaveFlowException.ForFile(path, $"not a readable ONNX model ({FirstLine(e.Message)})", e);
        }
        try
        {
            Description = OnnxModelDescription.Read(Metadata(session, path), path);
            CheckSignature(path);
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    /// <summary>
    /// mel [n_mel, frames] row-major and z [n_group, steps] row-major (steps·n_group ≤ frames·hop)
    /// → steps·n_group samples.
    /// </summary>
    public float[] Run(float[] mel, long frames, float[] z, long steps)
    {
        var d = Description;
        using var melValue = OrtValue.CreateTensorValueFromMemory(mel, [1, d.NMelChannels, frames]);
        using var zValue = OrtValue.CreateTensorValueFromMemory(z, [1, d.NGroup, steps]);
        using var runOptions = new RunOptions();
        try
        {
            using var outputs = session.Run(runOptions, InputNames, [melValue, zValue], OutputNames);
            var audio = outputs[0].GetTensorDataAsSpan<float>();
            if (audio.Length != steps * d.NGroup)
                throw WaveFlowException.ForFile(Path, $"the ONNX graph gave {audio.Length} samples for {steps} z steps, a WaveFlow model gives {steps * d.NGroup}");
            return audio.ToArray();
        }
        catch (OnnxRuntimeException e)
        {
            // A graph that loads but cannot run these shapes (a damaged or hand-edited file).
            throw WaveFlowException.ForFile(Path, $"ONNX Runtime could not run the model ({FirstLine(e.Message)})", e);
        }
    }

    /// <summary>
    /// The model's metadata entries. ONNX Runtime's managed wrapper throws NullReferenceException for
    /// a key holding a NUL character (found by the fuzz target): any failure here is the file's.
    /// </summary>
    private static IReadOnlyDictionary<string, string> Metadata(InferenceSession session, string path)
    {
        try { return session.ModelMetadata.CustomMetadataMap; }
        catch (Exception e) when (e is not WaveFlowException)
        {
            throw WaveFlowException.ForFile(path, $"ONNX model metadata is unreadable ({e.GetType().Name})", e);
        }
    }

    private void CheckSignature(string path)
    {
        string Names(IEnumerable<string> names) => "[" + string.Join(", ", names) + "]";
        var inputs = session.InputMetadata;
        var outputs = session.OutputMetadata;
        if (inputs.Count != 2 || !inputs.ContainsKey(OnnxModelFormat.MelInput) || !inputs.ContainsKey(OnnxModelFormat.NoiseInput))
            throw WaveFlowException.ForFile(path, $"ONNX model inputs are {Names(inputs.Keys)}, a WaveFlow model has {Names(InputNames)}");
        if (outputs.Count != 1 || !outputs.ContainsKey(OnnxModelFormat.AudioOutput))
            throw WaveFlowException.ForFile(path, $"ONNX model outputs are {Names(outputs.Keys)}, a WaveFlow model has {Names(OutputNames)}");
        void Check(string name, NodeMetadata node, int rank)
        {
            if (node.ElementDataType != Microsoft.ML.OnnxRuntime.Tensors.TensorElementType.Float || node.Dimensions.Length != rank)
                throw WaveFlowException.ForFile(path, $"ONNX model {name} is {node.ElementDataType} of rank {node.Dimensions.Length}, a WaveFlow model's is Float of rank {rank}");
        }
        Check(OnnxModelFormat.MelInput, inputs[OnnxModelFormat.MelInput], 3);
        Check(OnnxModelFormat.NoiseInput, inputs[OnnxModelFormat.NoiseInput], 3);
        Check(OnnxModelFormat.AudioOutput, outputs[OnnxModelFormat.AudioOutput], 2);
    }

    /// <summary>
    /// auto: CUDA when this ONNX Runtime has the provider (the Microsoft.ML.OnnxRuntime.Gpu
    /// packages), else the CPU; cpu; cuda or cuda:N.
    /// </summary>
    private static string ChooseDevice(string device, SessionOptions options)
    {
        ArgumentNullException.ThrowIfNull(device);
        string spec = device.Trim().ToLowerInvariant();
        bool hasCuda = OrtEnv.Instance().GetAvailableProviders().Contains("CUDAExecutionProvider");
        if (spec == "cpu" || (spec == "auto" && !hasCuda)) return "cpu";
        int index = 0;
        if (spec != "auto" && spec != "cuda" &&
            !(spec.StartsWith("cuda:", StringComparison.Ordinal) && int.TryParse(spec.AsSpan(5), out index) && index >= 0))
            throw new WaveFlowException($"device \"{device}\": not one of auto, cpu, cuda, cuda:N");
        if (!hasCuda)
            throw new WaveFlowException($"device \"{device}\": this ONNX Runtime has no CUDA provider (it comes with the Microsoft.ML.OnnxRuntime.Gpu packages)");
        try { options.AppendExecutionProvider_CUDA(index); }
        catch (Exception e) when (e is OnnxRuntimeException or EntryPointNotFoundException or DllNotFoundException)
        {
            throw new WaveFlowException($"device \"{device}\": ONNX Runtime's CUDA provider did not start ({FirstLine(e.Message)})", 2, e);
        }
        return $"cuda:{index}";
    }

    private static string FirstLine(string message) => message.Split('\n', 2)[0].Trim();

    public void Dispose() => session.Dispose();
}
