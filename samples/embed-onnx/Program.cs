// Embedding WaveFlow without libtorch: an exported ONNX model and a mel file in, a WAV file out,
// through the WaveFlow.Onnx package's public API alone.
//   dotnet run --project samples/embed-onnx -c Release -- MODEL.onnx MEL.npy OUT.wav
using System.Diagnostics;
using WaveFlow.Audio;
using WaveFlow.Core;
using WaveFlow.Onnx;

if (args.Length != 3)
{
    Console.Error.WriteLine("usage: embed-onnx MODEL.onnx MEL OUT.wav");
    return 2;
}
try
{
    using var vocoder = WaveFlowOnnxVocoder.Load(args[0], device: "auto");
    float[,] mel = Mels.Load(args[1], vocoder.MelChannels);

    var options = vocoder.Options with { Seed = 1, ChunkFrames = 100 };
    vocoder.SynthesizeToWav(mel, args[2], options);

    // The same audio again, streamed: each piece arrives as soon as its chunk is made.
    var watch = Stopwatch.StartNew();
    double firstAudio = 0;
    int samples = 0;
    await foreach (float[] piece in vocoder.SynthesizeStreaming(mel, options))
    {
        if (samples == 0) firstAudio = watch.Elapsed.TotalSeconds;
        samples += piece.Length;
    }
    double streamed = watch.Elapsed.TotalSeconds;

    Console.WriteLine($"{args[1]}: {mel.GetLength(1)} frames → {samples} samples ({(double)samples / vocoder.SampleRate:F2} s) on onnxruntime {vocoder.Device} ({vocoder.Precision}); " +
                      $"first audio after {firstAudio:F2} s of {streamed:F2} s; wrote {args[2]}");
    return 0;
}
catch (WaveFlowException e)
{
    Console.Error.WriteLine(e.Message);
    return e.ExitCode;
}
