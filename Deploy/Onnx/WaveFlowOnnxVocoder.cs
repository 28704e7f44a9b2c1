using System.Runtime.CompilerServices;
using WaveFlow.Audio;
using WaveFlow.Audio.Wav;
using WaveFlow.Core;

namespace WaveFlow.Onnx;

/// <summary>
/// A WaveGlow vocoder running on ONNX Runtime, without libtorch: mel spectrograms in, speech out,
/// from a model written by <c>waveflow export</c>. The same calls as the libtorch
/// <c>WaveFlowVocoder</c>:
/// <code>
/// using var vocoder = WaveFlowOnnxVocoder.Load("model.onnx");
/// float[,] mel = Mels.FromWav("in.wav", vocoder.MelSettings);
/// float[] audio = vocoder.Synthesize(mel);
/// await foreach (float[] piece in vocoder.SynthesizeStreaming(mel)) { /* play it */ }
/// vocoder.SynthesizeToWav(mel, "out.wav");
/// </code>
/// <para><b>Threads.</b> Every public member is safe to call from several threads at once; calls
/// take turns on the one session (a stream one chunk at a time), as the libtorch vocoder's do.</para>
/// <para><b>Memory.</b> Mels longer than <see cref="OnnxVocoderOptions.ChunkFrames"/> are synthesised
/// in chunks whose audio equals whole-utterance synthesis, so memory stays bounded.</para>
/// <para><b>Errors.</b> Bad input (a missing, damaged or foreign ONNX file, a newer format version,
/// a mel with the wrong number of channels, no frames, NaN or infinity, options out of range)
/// throws <see cref="WaveFlowException"/> with a one-line message naming the file or the problem.</para>
/// </summary>
public sealed class WaveFlowOnnxVocoder : IDisposable
{
    private readonly OnnxModel model;
    private readonly OnnxSynthesizer synthesizer;
    private readonly SemaphoreSlim gate = new(1, 1);
    private bool disposed;

    private WaveFlowOnnxVocoder(OnnxModel model, OnnxVocoderOptions options)
    {
        this.model = model;
        synthesizer = new OnnxSynthesizer(model);
        Options = options;
    }

    /// <summary>Loads a model written by <c>waveflow export</c>.</summary>
    /// <param name="modelPath">the .onnx file</param>
    /// <param name="device"><c>auto</c> (CUDA when this ONNX Runtime has it, else the CPU), <c>cpu</c>,
    /// <c>cuda</c> or <c>cuda:N</c> (the Microsoft.ML.OnnxRuntime.Gpu packages)</param>
    /// <param name="options">the default options of every call (<see cref="OnnxVocoderOptions.Default"/> if null)</param>
    /// <exception cref="WaveFlowException">the file is missing, damaged, not a WaveFlow model or of a
    /// newer format version, the device is unknown or absent, or an option is out of range</exception>
    public static WaveFlowOnnxVocoder Load(string modelPath, string device = "auto", OnnxVocoderOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(modelPath);
        options ??= OnnxVocoderOptions.Default;
        options.Validate();
        return new WaveFlowOnnxVocoder(new OnnxModel(modelPath, device), options);
    }

    /// <summary><see cref="Load(string, string, OnnxVocoderOptions?)"/> with ONNX Runtime's thread count (the CLI's --threads).</summary>
    internal static WaveFlowOnnxVocoder Load(string modelPath, string device, OnnxVocoderOptions options, int? threads)
    {
        options.Validate();
        return new WaveFlowOnnxVocoder(new OnnxModel(modelPath, device, threads), options);
    }

    /// <summary>The mel settings the model was trained with (give them to <see cref="Mels.FromWav"/>).</summary>
    public MelOptions MelSettings => model.Description.Mel;

    /// <summary>Samples per second of the audio.</summary>
    public int SampleRate => model.Description.Mel.SamplingRate;

    /// <summary>Mel channels a mel must have (its first dimension).</summary>
    public int MelChannels => model.Description.NMelChannels;

    /// <summary>Audio samples per mel frame.</summary>
    public int HopLength => model.Description.Mel.HopLength;

    /// <summary>Where the session runs: <c>cpu</c> or <c>cuda:N</c>.</summary>
    public string Device => model.Device;

    /// <summary>The precision the model was exported in: <c>fp32</c> or <c>fp16</c>.</summary>
    public string Precision => model.Description.Precision;

    /// <summary>The options calls use when they are given none.</summary>
    public OnnxVocoderOptions Options { get; }

    internal OnnxModel Model => model;

    internal OnnxSynthesizer Synthesizer => synthesizer;

    /// <summary>Turns a log mel spectrogram [<see cref="MelChannels"/>, frames] into frames × <see cref="HopLength"/> samples.</summary>
    /// <exception cref="WaveFlowException">the mel has the wrong number of channels, no frames, NaN or
    /// infinity, or an option is out of range</exception>
    public float[] Synthesize(float[,] mel, OnnxVocoderOptions? options = null)
    {
        var (array, o) = Prepare(mel, options, "mel");
        return Locked(() => synthesizer.Synthesize(array, o));
    }

    /// <summary>The CLI's synthesis: a mel read from a file (errors name <paramref name="source"/>) and, optionally, exact noise ε.</summary>
    internal float[] SynthesizeArray(FloatArray mel, OnnxVocoderOptions options, FloatArray? noise, string source)
    {
        options.Validate();
        var checkedMel = MelFile.Validate(mel, source, MelChannels);
        return Locked(() => synthesizer.Synthesize(checkedMel, options, noise));
    }

    /// <summary>
    /// The synthesis piece by piece, each piece as soon as it is made (one per chunk of a mel longer
    /// than <see cref="OnnxVocoderOptions.ChunkFrames"/>, else one); laid end to end they are
    /// <see cref="Synthesize"/>'s output bit for bit. Runs on the thread pool; the mel and options
    /// are checked when this method is called.
    /// </summary>
    public IAsyncEnumerable<float[]> SynthesizeStreaming(float[,] mel, OnnxVocoderOptions? options = null, CancellationToken cancellationToken = default)
    {
        var (array, o) = Prepare(mel, options, "mel");
        var stream = synthesizer.Stream(array, o);   // checks the mel against the model now
        return Pieces(stream, cancellationToken);
    }

    /// <summary>Synthesises a mel and writes it as a WAV file at <see cref="SampleRate"/>, atomically.</summary>
    public void SynthesizeToWav(float[,] mel, string path, OnnxVocoderOptions? options = null, WavSampleFormat format = WavSampleFormat.Pcm16)
    {
        ArgumentNullException.ThrowIfNull(path);
        WavFile.Write(path, Synthesize(mel, options), SampleRate, format);
    }

    /// <summary>Frees the session; waits for a call in progress to end.</summary>
    public void Dispose()
    {
        gate.Wait();
        try
        {
            if (disposed) return;
            disposed = true;
            model.Dispose();
        }
        finally { gate.Release(); }
    }

    private (FloatArray Mel, OnnxVocoderOptions Options) Prepare(float[,] mel, OnnxVocoderOptions? options, string source)
    {
        ArgumentNullException.ThrowIfNull(mel);
        ObjectDisposedException.ThrowIf(disposed, this);
        var o = options ?? Options;
        o.Validate();
        return (MelFile.Validate(Mels.ToFloatArray(mel), source, MelChannels), o);
    }

    private T Locked<T>(Func<T> work)
    {
        gate.Wait();
        try
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            return work();
        }
        finally { gate.Release(); }
    }

    private async IAsyncEnumerable<float[]> Pieces(OnnxSynthesisStream stream, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        while (!stream.Done)
        {
            cancellationToken.ThrowIfCancellationRequested();
            await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            float[] piece;
            try
            {
                ObjectDisposedException.ThrowIf(disposed, this);
                piece = await Task.Run(stream.Next, cancellationToken).ConfigureAwait(false);
            }
            finally { gate.Release(); }
            yield return piece;
        }
    }
}
