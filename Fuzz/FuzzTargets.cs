using System.Text;
using WaveFlow.Audio;
using WaveFlow.Audio.Wav;
using WaveFlow.Core;
using WaveFlow.Core.Serialization;
using WaveFlow.Core.Serialization.PyTorch;
using WaveFlow.Evaluation.Gate;
using WaveFlow.Evaluation.Listening;
using WaveFlow.Training.Config;
using WaveFlow.Training.Run;
using WaveFlow.Vocoder;
using WaveFlow.Vocoder.Checkpoints;

namespace WaveFlow.Fuzz;

/// <summary>Every loader of user files, by target name (the names <c>scripts/fuzz.sh</c> takes).</summary>
internal static class FuzzTargets
{
    public static readonly IReadOnlyList<FuzzTarget> All =
    [
        new("wav", ".wav", "WavFile (with --resample and --downmix to 22,050 Hz mono)",
            (bytes, path) => WavFile.Parse(bytes, path, new WavReadOptions(22050, Downmix: true, Resample: true))),
        new("npy", ".npy", "NpyFile + MelFile's checks",
            (bytes, path) => MelFile.Validate(NpyFile.Parse(bytes, path), path)),
        new("pt-zip", ".pt", "PyTorchFile, zip layout (mels and state dicts)", ReadTorch),
        new("pt-legacy", ".pt", "PyTorchFile, legacy pre-zip layout", ReadTorch),
        new("safetensors", ".safetensors", "Safetensors", (bytes, path) => Safetensors.Parse(bytes, path)),
        new("onnx", ".onnx", "WaveFlowOnnxVocoder (ONNX Runtime session, metadata and signature checks), then 2 frames synthesised", LoadOnnx),
        new("checkpoint", ".safetensors", "CheckpointLoader (our checkpoints and state-dict .pt), model built and loaded on the CPU", LoadCheckpoint),
        new("config", ".json", "TrainingConfig", (bytes, path) => TrainingConfig.Parse(Text(bytes), path)),
        new("model-config", ".json", "CheckpointLoader.ReadConfig and MelOptions.Load (the --config of synthesize, mel, griffinlim)",
            (bytes, path) => { File.WriteAllBytes(path, bytes); CheckpointLoader.ReadConfig(path); MelOptions.Load(path); }),
        new("trainer-state", ".state", "TrainerState.Load with the optimizer state restored into the tiny model's Adam (--resume)", LoadTrainerState),
        new("listening", ".json", "ListeningResults", (bytes, path) => ListeningResults.Parse(Text(bytes), path)),
        new("baseline", ".json", "EvalReport as an eval baseline, compared with itself",
            (bytes, path) => { var report = EvalReport.Parse(Text(bytes), path); EvalBaseline.Compare(report, report, 0.05, path); }),
    ];

    public static FuzzTarget Get(string name) => All.FirstOrDefault(t => t.Name == name)
        ?? throw new WaveFlowException($"unknown fuzz target \"{name}\" (known: {string.Join(", ", All.Select(t => t.Name))})");

    private static void ReadTorch(byte[] bytes, string path)
    {
        using var stream = new MemoryStream(bytes, writable: false);
        if (PyTorchFile.Read(stream, path).Root is FloatArray mel && mel.Shape.Length is 2 or 3) MelFile.Validate(mel, path);
    }

    private static void LoadOnnx(byte[] bytes, string path)
    {
        File.WriteAllBytes(path, bytes);
        using var vocoder = global::WaveFlow.Onnx.WaveFlowOnnxVocoder.Load(path, "cpu");
        vocoder.Synthesize(new float[vocoder.MelChannels, 2], new global::WaveFlow.Onnx.OnnxVocoderOptions { Seed = 1 });
    }

    private static void LoadCheckpoint(byte[] bytes, string path)
    {
        File.WriteAllBytes(path, bytes);
        var loaded = CheckpointLoader.Load(path, TorchSharp.torch.CPU);
        loaded.Model.Dispose();
    }

    /// <summary>The smallest model worth loading (the checkpoint and trainer-state seeds): 2 flows of 1 WN layer, 4 mels, filter_length 16.</summary>
    public static (WaveGlowOptions Options, MelOptions Mel) TinyModel() =>
        (new WaveGlowOptions { NMelChannels = 4, NFlows = 2, NGroup = 4, NEarlyEvery = 4, NEarlySize = 2, WN = new WNOptions(1, 4, 3) },
         new MelOptions { NMelChannels = 4, FilterLength = 16, HopLength = 4, WinLength = 16 });

    /// <summary>The optimizer a .state file is restored into: Adam over the tiny model of the seeds (built once).</summary>
    private static readonly Lazy<TorchSharp.Modules.Adam> TinyAdam = new(() =>
    {
        var (options, mel) = TinyModel();
        return TorchSharp.torch.optim.Adam(new WaveGlow(options, mel).parameters(), 1e-3);
    });

    private static void LoadTrainerState(byte[] bytes, string path)
    {
        File.WriteAllBytes(path, bytes);
        TrainerState.Load(path, reader => TinyAdam.Value.load_state_dict(reader));
    }

    // Invalid UTF-8 becomes U+FFFD, as File.ReadAllText does.
    private static string Text(byte[] bytes) => Encoding.UTF8.GetString(bytes);
}
