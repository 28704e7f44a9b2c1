using System.CommandLine;
using System.Globalization;
using WaveFlow.Audio;
using WaveFlow.Audio.Dsp;
using WaveFlow.Audio.Wav;
using WaveFlow.Core;
using WaveFlow.Core.Serialization;
using WaveFlow.Vocoder;
using WaveFlow.Vocoder.Checkpoints;

namespace WaveFlow.Cli.Commands;

/// <summary>
/// <c>waveflow encode --checkpoint CK --audio A.wav|A.npy [--mel M.npy] -o Z.npy</c>: audio → z,
/// printing the exact NLL in nats and bits per sample and the WaveGlow loss.
/// </summary>
internal static class EncodeCommand
{
    public static Command Create()
    {
        var checkpoint = new Option<string>("--checkpoint", "-c") { Description = "checkpoint: ours, NVIDIA's .pt, a state-dict .pt or safetensors", Required = true };
        var config = new Option<string?>("--config") { Description = "NVIDIA config.json for checkpoints that carry no configuration" };
        var audioPath = new Option<string>("--audio") { Description = "audio: .wav at the model's sampling rate, or .npy of samples in [-1, 1]", Required = true };
        var melPath = new Option<string?>("--mel") { Description = "its mel (.npy/.pt); computed from the audio when left out" };
        var output = new Option<string>("--out", "-o") { Description = "where to write z (.npy, [n_group, T/n_group])", Required = true };
        var overwrite = OutputPaths.OverwriteOption();
        var command = new Command("encode", "Turn audio into the model's Gaussian noise z and report its likelihood")
            { checkpoint, config, audioPath, melPath, output, overwrite };
        command.SetAction(result =>
        {
            var device = GlobalOptions.ResolveDevice(result);
            ConfigFiles.CheckWhole(result.GetValue(config));
            var loaded = CheckpointLoader.Load(result.GetValue(checkpoint)!, device, result.GetValue(config));
            using var model = loaded.Model;
            string path = result.GetValue(audioPath)!;
            float[] audio = ReadAudio(path, loaded.Mel.SamplingRate);
            var mel = result.GetValue(melPath) is { } m
                ? MelFile.Read(m, loaded.Options.NMelChannels)
                : new MelSpectrogram(loaded.Mel).Compute(audio);
            string outPath = result.GetValue(output)!;
            OutputPaths.PrepareFile(outPath, result.GetValue(overwrite));
            var encoded = AudioEncoder.Encode(model, audio, mel);
            NpyFile.Write(outPath, encoded.Z.Data, encoded.Z.Shape);
            var c = CultureInfo.InvariantCulture;
            Console.WriteLine(string.Create(c, $"samples            {encoded.Samples}"));
            Console.WriteLine(string.Create(c, $"NLL                {encoded.NatsPerSample:G9} nats/sample"));
            Console.WriteLine(string.Create(c, $"NLL                {encoded.BitsPerSample:G9} bits/sample"));
            Console.WriteLine(string.Create(c, $"WaveGlow loss      {encoded.Loss:G9} (sigma 1)"));
            Console.WriteLine($"wrote {outPath} [{string.Join(", ", encoded.Z.Shape)}]");
            return 0;
        });
        return command;
    }

    private static float[] ReadAudio(string path, int sampleRate)
    {
        if (path.EndsWith(".npy", StringComparison.OrdinalIgnoreCase))
        {
            var a = NpyFile.Read(path);
            if (!(a.Shape.Length == 1 || (a.Shape.Length == 2 && a.Shape[0] == 1)))
                throw WaveFlowException.ForFile(path, $"audio must be [T] or [1, T], got [{string.Join(", ", a.Shape)}]");
            return a.Data;
        }
        return WavFile.Read(path, new WavReadOptions(ExpectedSampleRate: sampleRate)).Samples;
    }
}
