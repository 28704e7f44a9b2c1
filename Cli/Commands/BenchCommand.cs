using System.CommandLine;
using System.Text.Json;
using Spectre.Console;
using WaveFlow.Audio;
using WaveFlow.Core;
using WaveFlow.Core.IO;
using WaveFlow.Core.Runtime;
using WaveFlow.Evaluation.Benchmarks;
using WaveFlow.Vocoder;
using WaveFlow.Vocoder.Checkpoints;

namespace WaveFlow.Cli.Commands;

/// <summary>
/// <c>waveflow bench [--config X | --checkpoint CK] [--seconds 10 ...] [--fp16|--bf16] [--train]
/// [--repeats 5] [--chunk F] [--layers] [--json OUT]</c>: synthesis throughput, training step time and
/// peak memory, with warm-up and the median of repeats.
/// </summary>
internal static class BenchCommand
{
    public static Command Create()
    {
        var config = new Option<string?>("--config") { Description = "NVIDIA-style config.json (waveglow_config, data_config, train_config); default: NVIDIA's 12 × 8 × 256 model, random weights" };
        var checkpoint = new Option<string?>("--checkpoint") { Description = "a checkpoint to load (ours, NVIDIA's .pt, or a state dict; see CheckpointLoader; --config where it needs one)" };
        var seconds = new Option<double[]>("--seconds") { Description = "audio lengths to synthesise", DefaultValueFactory = _ => [10.0], AllowMultipleArgumentsPerToken = true };
        var batch = new Option<int?>("--batch") { Description = "training batch (default: the config's train_config.batch_size, else 12)" };
        var segment = new Option<int?>("--segment") { Description = "training segment in samples (default: the config's data_config.segment_length, else 16000)" };
        var fp16 = new Option<bool>("--fp16") { Description = "synthesise in float16 (W⁻¹ is inverted in float64, then cast)" };
        var bf16 = new Option<bool>("--bf16") { Description = "synthesise in bfloat16" };
        var train = new Option<bool>("--train") { Description = "also time a training iteration (forward, loss, backward, Adam)" };
        var trainOnly = new Option<bool>("--train-only") { Description = "time training only" };
        var repeats = new Option<int>("--repeats") { Description = "timed repeats (the median is reported)", DefaultValueFactory = _ => 5 };
        var warmup = new Option<int>("--warmup") { Description = "untimed runs first", DefaultValueFactory = _ => 1 };
        var chunk = new Option<int?>("--chunk") { Description = "also time chunked synthesis with chunks of this many mel frames, streamed synthesis's time to first audio, and the chunked error against whole-utterance synthesis" };
        var chunkOnly = new Option<bool>("--chunk-only") { Description = "time chunked synthesis only (memory against length)" };
        var layers = new Option<bool>("--layers") { Description = "time one WN layer's operations alone at the model's shapes (per-operator profile, GFLOP/s of the products), fp32 and the chosen precision; no synthesis or training" };
        var compare = new Option<bool>("--compare") { Description = "also time weight norm unfolded and every flow's conditioning as one product (before/after rows)" };
        var interop = new Option<int?>("--interop-threads") { Description = "libtorch inter-op threads (set before any work)" };
        var tf32 = new Option<bool>("--tf32") { Description = "CUDA: allow TF32 in cuDNN convolutions and cuBLAS products (PyTorch's cuDNN default)", DefaultValueFactory = _ => true };
        var json = new Option<string?>("--json") { Description = "also write the results as JSON to this file" };
        var overwrite = OutputPaths.OverwriteOption();
        var command = new Command("bench", "Measure synthesis speed, training step time and peak memory")
            { config, checkpoint, seconds, batch, segment, fp16, bf16, train, trainOnly, repeats, warmup, chunk, chunkOnly, layers, compare, interop, tf32, json, overwrite };
        command.SetAction(result =>
        {
            if (result.GetValue(interop) is { } io)
            {
                TorchRuntime.EnsureLoaded();
                if (io < 1) throw new WaveFlowException($"--interop-threads {io}: must be at least 1");
                TorchSharp.torch.set_num_interop_threads(io);
            }
            if (result.GetValue(json) is { } jsonTarget) OutputPaths.PrepareFile(jsonTarget, result.GetValue(overwrite));
            var device = GlobalOptions.ResolveDevice(result);
            if (device.type == TorchSharp.DeviceType.CUDA) BenchRunner.SetTf32(result.GetValue(tf32));
            string? configPath = result.GetValue(config), weights = result.GetValue(checkpoint);
            var whole = ConfigFiles.CheckWhole(configPath);
            // A checkpoint brings its own configuration (ours) or takes --config / shape inference.
            WaveGlowOptions options;
            MelOptions mel;
            Dictionary<string, FloatArray>? loadedWeights = null;   // read once; every case gets a fresh model from them
            if (weights is not null)
            {
                using var loaded = CheckpointLoader.Load(weights, TorchSharp.torch.CPU, configPath).Model;
                (options, mel, loadedWeights) = (loaded.Options, loaded.Mel, StateDict.Export(loaded));
            }
            else
            {
                (options, mel) = whole is not null ? (whole.Model, whole.Mel)
                    : configPath is not null ? CheckpointLoader.ReadConfig(configPath)
                    : (new WaveGlowOptions(), new MelOptions());
            }
            // train_config.batch_size × data_config.segment_length of a sectioned config, else NVIDIA's 12 × 16000.
            var (trainBatch, trainSegment) = whole is not null ? (whole.Train.BatchSize, whole.Data.SegmentLength) : (12, 16000);
            WaveGlow Create()
            {
                WaveGlow model;
                // Seeded, so that every case (and the fp32 reference of --fp16/--bf16) has the same weights.
                using (InitRandom.Seeded(1234))
                    model = new WaveGlow(options, mel);
                if (loadedWeights is not null) StateDict.Load(model, loadedWeights, weights!);
                else BenchRunner.RandomizeCouplings(model);
                return model;
            }
            int repeatCount = Positive(result.GetValue(repeats), "--repeats");
            var settings = new BenchSettings
            {
                Seconds = result.GetValue(seconds) is { Length: > 0 } s && s.All(x => x > 0) ? s : throw new WaveFlowException("--seconds: give positive lengths"),
                Precision = result.GetValue(fp16) ? Precision.Fp16 : result.GetValue(bf16) ? Precision.Bf16 : Precision.Fp32,
                WarmUp = Math.Max(0, result.GetValue(warmup)),
                Repeats = repeatCount,
                ChunkFrames = result.GetValue(chunk) is { } c ? Positive(c, "--chunk") : null,
                ChunkedOnly = result.GetValue(chunkOnly),
                CompareUnfolded = result.GetValue(compare),
                CompareFusedConditioning = result.GetValue(compare),
                Train = result.GetValue(train) || result.GetValue(trainOnly),
                NoSynthesis = result.GetValue(trainOnly),
                TrainBatch = result.GetValue(batch) is { } b ? Positive(b, "--batch") : trainBatch,
                TrainSegment = result.GetValue(segment) is { } sg ? Positive(sg, "--segment") : trainSegment,
                TrainConfig = whole?.Train,
                Layers = result.GetValue(layers),
            };
            if (settings.ChunkedOnly && settings.ChunkFrames is null) throw new WaveFlowException("--chunk-only needs --chunk FRAMES");

            long parameters;
            using (var probe = Create()) parameters = BenchRunner.ParameterCount(probe);
            string modelLine = $"{options.NFlows} flows × {options.WN.NLayers} layers × {options.WN.NChannels} channels, {options.NMelChannels} mels, {mel.FilterLength}/{mel.HopLength}, {parameters / 1e6:F1} M parameters{(weights is null ? ", random weights" : "")}";
            var machine = BenchMachine.Describe(device);
            AnsiConsole.MarkupLine($"[bold]{Markup.Escape(modelLine)}[/]");
            AnsiConsole.MarkupLine(Markup.Escape(machine.Line));
            string loadBefore = BenchMachine.LoadAverage();
            string started = DateTime.UtcNow.ToString("u");
            var rows = BenchRunner.Run(Create, settings, device,
                starting: what => AnsiConsole.MarkupLine($"[grey]running {Markup.Escape(what)} ...[/]"));
            BenchTable.Write(rows);
            string loadAfter = BenchMachine.LoadAverage();
            AnsiConsole.MarkupLine($"[grey]load average before {loadBefore}, after {loadAfter}[/]");

            if (result.GetValue(json) is { } jsonPath)
            {
                var report = new BenchReport(machine.Line, machine.Cpu, Environment.ProcessorCount, TorchSharp.torch.get_num_threads(),
                    TorchSharp.torch.get_num_interop_threads(), loadBefore, loadAfter, TorchRuntime.TorchSharpVersion, modelLine, parameters, started, rows);
                var node = JsonSerializer.SerializeToNode(report, new JsonSerializerOptions { WriteIndented = true })!;
                AtomicFile.WriteAllBytes(jsonPath, System.Text.Encoding.UTF8.GetBytes(node.ToJsonString(new JsonSerializerOptions { WriteIndented = true })));
                Console.WriteLine($"wrote {jsonPath}");
            }
            return 0;
        });
        return command;
    }

    private static int Positive(int value, string option) =>
        value >= 1 ? value : throw new WaveFlowException($"{option} {value}: must be at least 1");
}
