using System.CommandLine;
using Spectre.Console;
using WaveFlow.Audio;
using WaveFlow.Audio.Dsp;
using WaveFlow.Audio.Imaging;
using WaveFlow.Audio.Wav;
using WaveFlow.Core;

namespace WaveFlow.Cli.Commands;

/// <summary><c>waveflow mel IN.wav... -o DIR [--png] [--config C.json]</c>: Tacotron2 log mels of WAV files as .npy (and PNG images).</summary>
internal static class MelCommand
{
    public static Command Create()
    {
        var inputs = new Argument<string[]>("wav") { Description = "WAV files (mono; PCM 16/24/32-bit or float)", Arity = ArgumentArity.OneOrMore };
        var output = new Option<string>("--output", "-o") { Description = "folder for <name>.mel.npy (and <name>.mel.png)", Required = true };
        var png = new Option<bool>("--png") { Description = "also write a spectrogram image of each mel" };
        var config = new Option<string?>("--config") { Description = "NVIDIA config.json (its data_config) or a JSON file of mel keys; default: 22050 Hz, 1024/256/1024, 80 mels, 0-8000 Hz" };
        var resample = new Option<bool>("--resample") { Description = "convert other sample rates to the config's sampling_rate instead of refusing them" };
        var downmix = new Option<bool>("--downmix") { Description = "average the channels of stereo/multichannel files instead of refusing them" };
        var half = new Option<bool>("--half") { Description = "store the mels as float16" };
        var overwrite = OutputPaths.OverwriteOption();
        var command = new Command("mel", "Compute Tacotron2-compatible log-mel spectrograms of WAV files") { inputs, output, png, config, resample, downmix, half, overwrite };
        command.SetAction(result =>
        {
            var files = result.GetValue(inputs)!;
            var outDir = result.GetValue(output)!;
            var options = ConfigFiles.Mel(result.GetValue(config));
            var targets = OutputNames(files, outDir, ".mel.npy");
            var readOptions = new WavReadOptions(options.SamplingRate, result.GetValue(downmix), result.GetValue(resample));
            bool images = result.GetValue(png), f16 = result.GetValue(half);
            // Every input is read (and thrown away) before anything is written, so a bad file among
            // many fails with no output; reading twice costs far less than the mels, and keeps memory
            // to one clip.
            foreach (var file in files) WavFile.Read(file, readOptions);
            OutputPaths.RefuseExisting(images ? targets.Concat(targets.Select(t => Path.ChangeExtension(t, ".png"))) : targets, result.GetValue(overwrite));
            OutputPaths.PrepareFolder(outDir);
            // The global --device convention: on CUDA the batched TorchSharp front end, otherwise the
            // CPU one (NWaves' FFT in double precision). Both equal Tacotron2's (tests: rel. L2 < 1e-6).
            var device = GlobalOptions.ResolveDevice(result);
            using var gpuFront = device.type == TorchSharp.DeviceType.CUDA ? new TorchMelSpectrogram(options, device) : null;
            var cpuFront = new MelSpectrogram(options);
            Func<float[], FloatArray> compute = gpuFront is null ? samples => cpuFront.Compute(samples) : samples => OnDevice(gpuFront, samples);
            double seconds = 0;

            ProgressDisplay.Run($"mel ({files.Length} file(s), {device})", progress =>
            {
                for (int i = 0; i < files.Length; i++)
                {
                    progress(files[i], i, files.Length);
                    var clip = WavFile.Read(files[i], readOptions);
                    FloatArray mel;
                    try { mel = compute(clip.Samples); }
                    catch (WaveFlowException e) when (!e.Message.StartsWith(files[i], StringComparison.Ordinal))
                    {
                        throw new WaveFlowException($"{files[i]}: {e.Message}", e.ExitCode, e);
                    }
                    MelFile.Write(targets[i], mel, f16);
                    if (images) SpectrogramImage.WritePng(Path.ChangeExtension(targets[i], ".png"), mel, scale: 2);
                    seconds += clip.DurationSeconds;
                }
                progress("done", files.Length, files.Length);
                return 0;
            });
            Console.WriteLine($"wrote {files.Length} mel(s) ({seconds:F1} s of audio, {options.NMelChannels} channels, hop {options.HopLength}) to {outDir}");
            return 0;
        });
        return command;
    }

    private static FloatArray OnDevice(TorchMelSpectrogram front, float[] samples)
    {
        using var scope = TorchSharp.torch.NewDisposeScope();
        if (samples.Length <= front.Options.FilterLength / 2)
            throw new WaveFlowException($"audio of {samples.Length} samples is too short for a mel (needs more than {front.Options.FilterLength / 2})");
        var mel = front.Compute(TorchSharp.torch.tensor(samples)).squeeze(0).cpu();      // (n_mel, frames)
        return new FloatArray(mel.data<float>().ToArray(), mel.shape);
    }

    /// <summary>
    /// DIR/&lt;name&gt;&lt;suffix&gt; for each input, refusing a missing input or two inputs that
    /// would write the same file before anything is written.
    /// </summary>
    internal static string[] OutputNames(string[] inputs, string outDir, string suffix)
    {
        var names = new string[inputs.Length];
        var seen = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        for (int i = 0; i < inputs.Length; i++)
        {
            if (!File.Exists(inputs[i])) throw WaveFlowException.ForFile(inputs[i], "file not found");
            string stem = Path.GetFileNameWithoutExtension(inputs[i]);
            if (stem.EndsWith(".mel", StringComparison.OrdinalIgnoreCase)) stem = stem[..^4];
            names[i] = Path.Combine(outDir, stem + suffix);
            if (!seen.TryAdd(names[i], inputs[i]))
                throw WaveFlowException.ForFile(inputs[i], $"would write {names[i]}, as {seen[names[i]]} does: rename one of them");
        }
        return names;
    }
}
