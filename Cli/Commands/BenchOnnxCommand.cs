using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using WaveFlow.Audio;
using WaveFlow.Core;
using WaveFlow.Evaluation.Benchmarks;
using WaveFlow.Onnx;
using WaveFlow.Onnx.Export;
using WaveFlow.Vocoder;
using WaveFlow.Vocoder.Checkpoints;

namespace WaveFlow.Cli.Commands;

/// <summary>
/// <c>waveflow bench-onnx [--checkpoint CK] [--config CFG] [--seconds 2 10] [--fp16] [--bf16] [--chunk N]</c>:
/// ONNX Runtime against libtorch on the same model, mel and noise, interleaved run by run, with
/// the two outputs' relative L2 difference. Without a checkpoint: NVIDIA's 12 × 8 × 256 model with
/// random weights (as <c>bench</c>).
/// </summary>
internal static class BenchOnnxCommand
{
    public static Command Create()
    {
        var checkpoint = new Option<string?>("--checkpoint") { Description = "a checkpoint (ours, NVIDIA's .pt, a state dict); default: NVIDIA's model shape, random weights" };
        var config = new Option<string?>("--config") { Description = "NVIDIA config.json (for checkpoints without one, or the model shape without --checkpoint)" };
        var seconds = new Option<double[]>("--seconds") { Description = "audio lengths to synthesise", DefaultValueFactory = _ => [10.0], AllowMultipleArgumentsPerToken = true };
        var repeats = new Option<int>("--repeats") { Description = "timed repeats of each runtime, interleaved (the median is reported)", DefaultValueFactory = _ => 3 };
        var fp16 = new Option<bool>("--fp16") { Description = "export the ONNX model in float16" };
        var bf16 = new Option<bool>("--bf16") { Description = "run libtorch in bfloat16" };
        var chunk = new Option<int>("--chunk") { Description = "chunk length in mel frames for both runtimes (0 = whole utterance)", DefaultValueFactory = _ => 0 };
        var command = new Command("bench-onnx", "Time ONNX Runtime against libtorch on the same model, mel and noise")
            { checkpoint, config, seconds, repeats, fp16, bf16, chunk };
        command.SetAction(result =>
        {
            GlobalOptions.ApplyThreads(result);
            int? threads = result.GetValue(GlobalOptions.Threads);
            string? configPath = result.GetValue(config);
            LoadedModel loaded;
            if (result.GetValue(checkpoint) is { } ck) loaded = CheckpointLoader.Load(ck, TorchSharp.torch.CPU, configPath);
            else
            {
                var (options, melOptions) = configPath is not null ? CheckpointLoader.ReadConfig(configPath) : (new WaveGlowOptions(), new MelOptions());
                WaveGlow model;
                using (InitRandom.Seeded(1234)) model = new WaveGlow(options, melOptions);
                BenchRunner.RandomizeCouplings(model);
                model.eval();
                loaded = new LoadedModel(model, options, melOptions, 0, "random weights");
            }
            bool half = result.GetValue(fp16);
            int repeatCount = Math.Max(1, result.GetValue(repeats));
            int chunkFrames = Math.Max(0, result.GetValue(chunk));
            string dir = Path.Combine(Path.GetTempPath(), "waveflow-bench-onnx-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(dir);
            try
            {
                string onnxPath = Path.Combine(dir, "model.onnx");
                var watch = Stopwatch.StartNew();
                WaveGlowOnnxExporter.Export(loaded, onnxPath, half);
                double exportSeconds = watch.Elapsed.TotalSeconds;
                var torchPrecision = result.GetValue(bf16) ? Precision.Bf16 : Precision.Fp32;
                using var torchVocoder = new WaveFlowVocoder(loaded, new VocoderOptions { Precision = torchPrecision, ChunkFrames = chunkFrames });
                watch.Restart();
                using var onnxVocoder = WaveFlowOnnxVocoder.Load(onnxPath, result.GetValue(GlobalOptions.Device)!, new OnnxVocoderOptions { ChunkFrames = chunkFrames }, threads);
                double sessionSeconds = watch.Elapsed.TotalSeconds;
                var o = loaded.Options;
                var c = CultureInfo.InvariantCulture;
                Console.WriteLine(string.Create(c, $"model: {o.NFlows} flows × {o.WN.NLayers} layers × {o.WN.NChannels} channels ({loaded.Kind}); ONNX {new FileInfo(onnxPath).Length / 1e6:F1} MB {(half ? "fp16" : "fp32")}, exported in {exportSeconds:F1} s, session made in {sessionSeconds:F1} s on {onnxVocoder.Device}; libtorch {torchPrecision.Name()}; threads {threads?.ToString(c) ?? "default"}; chunk {(chunkFrames > 0 ? chunkFrames.ToString(c) : "whole")}"));
                Console.WriteLine("length   libtorch ms   onnxruntime ms   ort/libtorch   real-time factor (libtorch, ort)   relative L2 ort vs libtorch");
                foreach (double s in result.GetValue(seconds)!)
                {
                    long frames = Math.Max(1, (long)Math.Round(s * loaded.Mel.SamplingRate / loaded.Mel.HopLength));
                    long steps = frames * loaded.Mel.HopLength / o.NGroup;
                    var mel = new FloatArray(OnnxNoise.Gaussian(o.NMelChannels * frames, 2f, 7).Select(v => v - 5f).ToArray(), [o.NMelChannels, frames]);
                    var eps = new FloatArray(OnnxNoise.Gaussian(o.NGroup * steps, 1f, 8), [o.NGroup, steps]);
                    var ortOptions = onnxVocoder.Options;
                    float[] torchAudio = torchVocoder.SynthesizeArray(mel, eps);   // warm-up of both
                    float[] ortAudio = onnxVocoder.SynthesizeArray(mel, ortOptions, eps, "mel");
                    var torchTimes = new List<double>();
                    var ortTimes = new List<double>();
                    for (int r = 0; r < repeatCount; r++)
                    {
                        watch.Restart();
                        torchAudio = torchVocoder.SynthesizeArray(mel, eps);
                        torchTimes.Add(watch.Elapsed.TotalMilliseconds);
                        watch.Restart();
                        ortAudio = onnxVocoder.SynthesizeArray(mel, ortOptions, eps, "mel");
                        ortTimes.Add(watch.Elapsed.TotalMilliseconds);
                    }
                    double t = Median(torchTimes), x = Median(ortTimes), audioSeconds = (double)ortAudio.Length / loaded.Mel.SamplingRate;
                    Console.WriteLine(string.Create(c, $"{s,5:F1} s   {t,11:F0}   {x,14:F0}   {x / t,12:F2}   {t / 1000 / audioSeconds,14:F3}, {x / 1000 / audioSeconds:F3}   {RelativeL2(ortAudio, torchAudio),28:G3}"));
                }
            }
            finally
            {
                Directory.Delete(dir, recursive: true);
            }
            return 0;
        });
        return command;
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private static double RelativeL2(float[] a, float[] b)
    {
        double num = 0, den = 0;
        for (int i = 0; i < Math.Min(a.Length, b.Length); i++) { double d = a[i] - b[i]; num += d * d; den += (double)b[i] * b[i]; }
        return Math.Sqrt(num / Math.Max(den, 1e-300));
    }
}
