using System.Diagnostics;
using System.Globalization;
using WaveFlow.Audio;
using WaveFlow.Audio.Wav;
using WaveFlow.Core;
using WaveFlow.Onnx;

namespace WaveFlow.Cli.Commands;

/// <summary>
/// <c>waveflow synthesize</c> for an ONNX model (the CLI tells it from the file's content): the
/// same files, progress and real-time factor as the libtorch path, through
/// <see cref="WaveFlowOnnxVocoder"/>.
/// </summary>
internal static class OnnxSynthesis
{
    public static int Run(string modelPath, string[] melPaths, string dir, OnnxVocoderOptions options, string? precisionFlag,
        FloatArray? eps, WavSampleFormat sampleFormat, bool overwrite, string device, int? threads)
    {
        using var vocoder = WaveFlowOnnxVocoder.Load(modelPath, device, options, threads);
        if (precisionFlag is { } flag && flag != "--" + vocoder.Precision)
            throw new WaveFlowException($"{flag}: {modelPath} is an ONNX model exported in {vocoder.Precision}; its precision is chosen at export (waveflow export --fp16)");
        var targets = MelCommand.OutputNames(melPaths, dir, ".wav");
        var inputs = melPaths.Select(p => (Path: p, Mel: MelFile.Read(p, vocoder.MelChannels))).ToList();
        OutputPaths.RefuseExisting(targets, overwrite);
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
                try { audio = vocoder.SynthesizeArray(mel, options, eps, path); }
                catch (WaveFlowException e) { throw new WaveFlowException($"{path}: {e.Message}", e.ExitCode, e); }
                seconds += watch.Elapsed.TotalSeconds;
                audioSeconds += (double)audio.Length / vocoder.SampleRate;
                WavFile.Write(targets[k], audio, vocoder.SampleRate, sampleFormat);
            }
            progress("done", inputs.Count, inputs.Count);
            return 0;
        });
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{inputs.Count} file(s), {audioSeconds:F2} s of audio in {seconds:F2} s: real-time factor {seconds / Math.Max(audioSeconds, 1e-9):F3} (onnx, onnxruntime {vocoder.Device}, {vocoder.Precision}) → {dir}"));
        return 0;
    }
}
