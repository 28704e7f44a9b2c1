using System.CommandLine;
using System.Globalization;
using WaveFlow.Onnx;
using WaveFlow.Onnx.Export;
using WaveFlow.Vocoder.Checkpoints;

namespace WaveFlow.Cli.Commands;

/// <summary>
/// <c>waveflow export --checkpoint CK -o MODEL.onnx [--fp16]</c>: the synthesis graph of a
/// checkpoint as ONNX, for ONNX Runtime (the WaveFlow.Onnx package, <c>waveflow synthesize
/// --checkpoint MODEL.onnx</c>) without libtorch.
/// </summary>
internal static class ExportCommand
{
    public static Command Create()
    {
        var checkpoint = new Option<string>("--checkpoint", "-c") { Description = "checkpoint: ours, NVIDIA's .pt, a state-dict .pt or safetensors", Required = true };
        var config = new Option<string?>("--config") { Description = "NVIDIA config.json for checkpoints that carry no configuration" };
        var output = new Option<string>("--out", "-o") { Description = "the ONNX file to write", Required = true };
        var fp16 = new Option<bool>("--fp16") { Description = "float16 weights and arithmetic inside the graph (inputs and output stay float32)" };
        var overwrite = OutputPaths.OverwriteOption();
        var command = new Command("export", "Write a checkpoint's synthesis graph as ONNX (mel, z → audio) for ONNX Runtime")
            { checkpoint, config, output, fp16, overwrite };
        command.SetAction(result =>
        {
            GlobalOptions.ApplyThreads(result);
            ConfigFiles.CheckWhole(result.GetValue(config));
            string outPath = result.GetValue(output)!;
            OutputPaths.PrepareFile(outPath, result.GetValue(overwrite));
            // On the CPU whatever --device says: the weights are read back as float32 arrays.
            var loaded = CheckpointLoader.Load(result.GetValue(checkpoint)!, TorchSharp.torch.CPU, result.GetValue(config));
            using var model = loaded.Model;
            bool half = result.GetValue(fp16);
            WaveGlowOnnxExporter.Export(loaded, outPath, half);
            var c = CultureInfo.InvariantCulture;
            Console.WriteLine(string.Create(c,
                $"wrote {outPath} ({new FileInfo(outPath).Length / 1e6:F1} MB, {(half ? "fp16" : "fp32")}, opset {OnnxModelFormat.Opset}, {loaded.Kind}, step {loaded.Step})"));
            return 0;
        });
        return command;
    }
}
