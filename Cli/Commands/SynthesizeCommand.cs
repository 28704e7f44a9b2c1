using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Spectre.Console;
using WaveFlow.Audio;
using WaveFlow.Audio.Wav;
using WaveFlow.Core;
using WaveFlow.Core.Serialization;
using WaveFlow.Vocoder;

namespace WaveFlow.Cli.Commands;

/// <summary>
/// <c>waveflow synthesize --checkpoint CK MEL... [-o DIR] [--sigma 0.6] [--denoise 0.1] [--fp16|--bf16]
/// [--seed N] [--noise EPS.npy] [--format wav16|wav32f] [--chunk FRAMES]</c>: mels → WAV files,
/// with progress and the real-time factor, through <see cref="WaveFlowVocoder"/>.
/// </summary>
internal static class SynthesizeCommand
{
    public static Command Create()
    {
        var checkpoint = new Option<string>("--checkpoint", "-c") { Description = "checkpoint: ours, NVIDIA's .pt, a state-dict .pt or safetensors", Required = true };
        var config = new Option<string?>("--config") { Description = "NVIDIA config.json for checkpoints that carry no configuration" };
        var mels = new Argument<string[]>("mel") { Description = "mel spectrograms (.npy or .pt, [n_mel, frames])", Arity = ArgumentArity.OneOrMore };
        var outDir = new Option<string>("--out", "-o") { Description = "output folder", DefaultValueFactory = _ => "." };
        var sigma = new Option<float>("--sigma") { Description = "standard deviation of the noise", DefaultValueFactory = _ => 0.6f };
        var denoise = new Option<float>("--denoise") { Description = "denoiser strength (0 = off; NVIDIA suggests 0.1)", DefaultValueFactory = _ => 0f };
        var fp16 = new Option<bool>("--fp16") { Description = "float16 (folded weights): the fast path on GPUs" };
        var bf16 = new Option<bool>("--bf16") { Description = "bfloat16 (folded weights): the fast path on CPUs with AVX-512 BF16/AMX" };
        var seed = new Option<long?>("--seed") { Description = "seed of the noise (each file uses it)" };
        var noise = new Option<string?>("--noise") { Description = "standard-normal noise .npy laid out as z, [n_group, frames·hop/n_group]: exactly reproducible synthesis" };
        var f0 = new Option<string?>("--f0") { Description = "F0 .npy, Hz per mel frame (0 = unvoiced), for a model with a harmonic source; replaces the pitch it predicts (one mel only)" };
        var format = new Option<string>("--format") { Description = "wav16 or wav32f", DefaultValueFactory = _ => "wav16" };
        format.AcceptOnlyFromAmong("wav16", "wav32f");
        var chunk = new Option<int>("--chunk") { Description = "synthesise mels longer than this many frames in chunks (bounded memory, same audio); 0 = never", DefaultValueFactory = _ => 1024 };
        var overwrite = OutputPaths.OverwriteOption();
        var command = new Command("synthesize", "Turn mel spectrograms into speech")
            { checkpoint, config, mels, outDir, sigma, denoise, fp16, bf16, seed, noise, f0, format, chunk, overwrite };
        command.SetAction(result =>
        {
            var melPaths = result.GetValue(mels)!;
            // An ONNX model (told by content) runs through ONNX Runtime; everything else through libtorch.
            if (global::WaveFlow.Onnx.OnnxModelFile.LooksLikeOnnx(result.GetValue(checkpoint)!))
                return RunOnnx(result);
            var device = GlobalOptions.ResolveDevice(result);
            var dir = result.GetValue(outDir)!;
            var sampleFormat = result.GetValue(format) == "wav32f" ? WavSampleFormat.Float32 : WavSampleFormat.Pcm16;
            FloatArray? eps = result.GetValue(noise) is { } noisePath ? NpyFile.Read(noisePath) : null;
            string? f0Path = result.GetValue(f0);
            if (f0Path is not null && melPaths.Length != 1) throw new WaveFlowException($"--f0 {f0Path}: gives the pitch of one mel, {melPaths.Length} were given");
            FloatArray? pitch = f0Path is null ? null : NpyFile.Read(f0Path);
            if (result.GetValue(fp16) && result.GetValue(bf16)) throw new WaveFlowException("--fp16 and --bf16: choose one");
            var precision = result.GetValue(fp16) ? Precision.Fp16 : result.GetValue(bf16) ? Precision.Bf16 : Precision.Fp32;
            // Checked once, by the options themselves, when the vocoder is loaded.
            var options = new VocoderOptions
            {
                Sigma = result.GetValue(sigma), Seed = result.GetValue(seed), Precision = precision,
                Denoise = result.GetValue(denoise), ChunkFrames = result.GetValue(chunk),
            };
            // libtorch's CPU kernels have no fast float16 path; bfloat16 is the CPU's reduced precision.
            if (precision == Precision.Fp16 && device.type == TorchSharp.DeviceType.CPU)
                Console.Error.WriteLine("note: --fp16 on the CPU is much slower than float32; --bf16 is the CPU's fast reduced precision");
            if (precision == Precision.Bf16 && device.type == TorchSharp.DeviceType.CPU && CpuFeatures.Bf16Shortfall is { } shortfall)
                Console.Error.WriteLine($"warning: --bf16: {shortfall}");

            ConfigFiles.CheckWhole(result.GetValue(config));
            // The embedding API (WaveFlowVocoder) does the work; the command adds files, progress and timing.
            using var vocoder = WaveFlowVocoder.Load(result.GetValue(checkpoint)!, device, result.GetValue(config), options);
            var loaded = vocoder.Loaded;
            // Every input, then every output, is checked before any work: a bad file fails with nothing written.
            // name.mel.npy (what `waveflow mel` writes) → name.wav; two inputs may not write the same file.
            var targets = MelCommand.OutputNames(melPaths, dir, ".wav");
            var inputs = melPaths.Select(p => (Path: p, Mel: MelFile.Read(p, loaded.Options.NMelChannels))).ToList();
            OutputPaths.RefuseExisting(targets, result.GetValue(overwrite));
            OutputPaths.PrepareFolder(dir);

            double seconds = 0, audioSeconds = 0;
            ProgressDisplay.Run("synthesizing", progress =>
            {
                for (int k = 0; k < inputs.Count; k++)
                {
                    var (path, mel) = inputs[k];
                    progress(path, k, inputs.Count);
                    var watch = Stopwatch.StartNew();
                    float[] audio;
                    try { audio = vocoder.SynthesizeArray(mel, eps, pitch, f0Path); }
                    catch (WaveFlowException e) { throw new WaveFlowException($"{path}: {e.Message}", e.ExitCode, e); }
                    seconds += watch.Elapsed.TotalSeconds;
                    audioSeconds += (double)audio.Length / loaded.Mel.SamplingRate;
                    WavFile.Write(targets[k], audio, loaded.Mel.SamplingRate, sampleFormat);
                }
                progress("done", inputs.Count, inputs.Count);
                return 0;
            });
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{inputs.Count} file(s), {audioSeconds:F2} s of audio in {seconds:F2} s: real-time factor {seconds / Math.Max(audioSeconds, 1e-9):F3} ({loaded.Kind}, {device}, {precision.Name()}) → {dir}"));
            return 0;
        });
        return command;

        int RunOnnx(ParseResult result)
        {
            if (result.GetValue(sigma) is var s && (s < 0 || !float.IsFinite(s))) throw new WaveFlowException($"--sigma {s}: must be ≥ 0");
            if (result.GetValue(chunk) is var c && c < 0) throw new WaveFlowException($"--chunk {c}: must be ≥ 0");
            if (result.GetValue(config) is { } cfg) throw new WaveFlowException($"--config {cfg}: an ONNX model carries its configuration");
            if (result.GetValue(fp16) && result.GetValue(bf16)) throw new WaveFlowException("--fp16 and --bf16: choose one");
            string? precisionFlag = result.GetValue(fp16) ? "--fp16" : result.GetValue(bf16) ? "--bf16" : null;
            var options = new global::WaveFlow.Onnx.OnnxVocoderOptions { Sigma = s, Seed = result.GetValue(seed), Denoise = result.GetValue(denoise), ChunkFrames = c };
            FloatArray? eps = result.GetValue(noise) is { } noisePath ? NpyFile.Read(noisePath) : null;
            var sampleFormat = result.GetValue(format) == "wav32f" ? WavSampleFormat.Float32 : WavSampleFormat.Pcm16;
            return OnnxSynthesis.Run(result.GetValue(checkpoint)!, result.GetValue(mels)!, result.GetValue(outDir)!, options, precisionFlag,
                eps, sampleFormat, result.GetValue(overwrite), result.GetValue(GlobalOptions.Device)!, result.GetValue(GlobalOptions.Threads));
        }
    }
}
