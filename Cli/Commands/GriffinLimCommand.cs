using System.CommandLine;
using Spectre.Console;
using WaveFlow.Audio;
using WaveFlow.Audio.Dsp;
using WaveFlow.Audio.Wav;
using WaveFlow.Core;

namespace WaveFlow.Cli.Commands;

/// <summary><c>waveflow griffinlim MEL.npy... -o DIR [--iterations 60] [--seed 0]</c>: the Griffin-Lim baseline vocoder.</summary>
internal static class GriffinLimCommand
{
    public static Command Create()
    {
        var inputs = new Argument<string[]>("mel") { Description = "mel files [n_mel, T] or [1, n_mel, T] (.npy float32/float16 or torch.save .pt), natural-log Tacotron2 scale", Arity = ArgumentArity.OneOrMore };
        var output = new Option<string>("--output", "-o") { Description = "folder for <name>.wav", Required = true };
        var iterations = new Option<int>("--iterations") { Description = "Griffin-Lim iterations", DefaultValueFactory = _ => 60 };
        var seed = new Option<int>("--seed") { Description = "seed of the random initial phase", DefaultValueFactory = _ => 0 };
        var config = new Option<string?>("--config") { Description = "NVIDIA config.json (its data_config) or a JSON file of mel keys; default: 22050 Hz, 1024/256/1024, 80 mels" };
        var floatWav = new Option<bool>("--float") { Description = "write 32-bit float WAV instead of 16-bit PCM" };
        var overwrite = OutputPaths.OverwriteOption();
        var command = new Command("griffinlim", "Turn mel spectrograms into audio with Griffin-Lim (a baseline vocoder)") { inputs, output, iterations, seed, config, floatWav, overwrite };
        command.SetAction(result =>
        {
            var files = result.GetValue(inputs)!;
            var outDir = result.GetValue(output)!;
            int n = result.GetValue(iterations);
            if (n < 1) throw new WaveFlowException($"--iterations {n}: must be at least 1");
            var options = ConfigFiles.Mel(result.GetValue(config));
            var device = GlobalOptions.ResolveDevice(result);
            var targets = MelCommand.OutputNames(files, outDir, ".wav");
            // Read and check every mel before writing anything.
            var mels = files.Select(f => MelFile.Read(f, options.NMelChannels)).ToList();
            OutputPaths.RefuseExisting(targets, result.GetValue(overwrite));
            OutputPaths.PrepareFolder(outDir);
            var format = result.GetValue(floatWav) ? WavSampleFormat.Float32 : WavSampleFormat.Pcm16;
            double seconds = 0;

            using var griffinLim = new GriffinLim(options, device);
            ProgressDisplay.Run($"griffin-lim ({files.Length} file(s), {n} iterations, {device})", progress =>
            {
                for (int i = 0; i < files.Length; i++)
                {
                    progress(files[i], i, files.Length);
                    var audio = griffinLim.Synthesize(mels[i], n, result.GetValue(seed));
                    WavFile.Write(targets[i], audio, options.SamplingRate, format);
                    seconds += (double)audio.Length / options.SamplingRate;
                }
                progress("done", files.Length, files.Length);
                return 0;
            });
            Console.WriteLine($"wrote {files.Length} WAV file(s) ({seconds:F1} s at {options.SamplingRate} Hz) to {outDir}");
            return 0;
        });
        return command;
    }
}
