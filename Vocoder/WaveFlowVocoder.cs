using System.Runtime.CompilerServices;
using WaveFlow.Audio;
using WaveFlow.Audio.Wav;
using WaveFlow.Core;
using WaveFlow.Core.Runtime;
using WaveFlow.Vocoder.Checkpoints;
using WaveFlow.Vocoder.Synthesis;
using static TorchSharp.torch;

namespace WaveFlow.Vocoder;

/// <summary>
/// A WaveGlow vocoder loaded from a checkpoint: mel spectrograms in, speech out.
/// <code>
/// using var vocoder = WaveFlowVocoder.Load("waveglow_256channels.pt", device: "auto");
/// float[,] mel = Mels.FromWav("in.wav", vocoder.MelSettings);      // or your acoustic model's [n_mel, frames]
/// float[] audio = vocoder.Synthesize(mel);                          // samples at vocoder.SampleRate, in [-1, 1]
/// await foreach (float[] piece in vocoder.SynthesizeStreaming(mel)) { /* play it */ }
/// vocoder.SynthesizeToWav(mel, "out.wav");
/// </code>
/// <para>
/// <b>Ownership.</b> The vocoder owns everything it loads: the model, the folded low-precision
/// copies and the denoiser, all on the chosen device. <see cref="Dispose"/> frees them at once;
/// later calls throw <see cref="ObjectDisposedException"/>.
/// </para>
/// <para>
/// <b>Threads.</b> Every public member is safe to call from several threads at once. Calls share
/// one model, so they take turns (a lock around the model): a synthesis waits for the one in
/// progress, and a stream takes the lock for one chunk at a time, so that concurrent streams
/// interleave chunk by chunk. libtorch already spreads one synthesis over the CPU's cores, so
/// concurrent calls would not be faster; for parallel throughput on several GPUs load one
/// vocoder per device.
/// </para>
/// <para>
/// <b>Memory.</b> Mels longer than <see cref="VocoderOptions.ChunkFrames"/> (1024 frames by
/// default) are synthesised in chunks whose audio equals whole-utterance synthesis, so memory stays
/// bounded whatever the length.
/// </para>
/// <para>
/// <b>Errors.</b> Bad input (a missing or damaged checkpoint, a mel with the wrong number of
/// channels, no frames, NaN or infinity, options out of range, an unknown device) throws
/// <see cref="WaveFlowException"/> with a one-line message naming the file or the problem, as the
/// <c>waveflow</c> command reports it.
/// </para>
/// </summary>
public sealed class WaveFlowVocoder : IDisposable
{
    private readonly LoadedModel loaded;
    private readonly Synthesizer synthesizer;
    private readonly SemaphoreSlim gate = new(1, 1);   // one call on the model at a time
    private bool disposed;

    /// <summary>
    /// Takes ownership of <paramref name="loaded"/> (the model is disposed with the vocoder);
    /// <paramref name="options"/> are already checked (<see cref="Load(string, Device, string?, VocoderOptions?)"/>).
    /// </summary>
    internal WaveFlowVocoder(LoadedModel loaded, VocoderOptions options)
    {
        this.loaded = loaded;
        Options = options;
        synthesizer = new Synthesizer(loaded);   // the model's owner from here on
        Device = loaded.Model.parameters().First().device.ToString();
    }

    /// <summary>
    /// Loads a checkpoint in any format the <c>waveflow</c> command reads: WaveFlow's own
    /// <c>.safetensors</c> (which describes itself), NVIDIA's published WaveGlow <c>.pt</c>
    /// files (zip or legacy format; read without Python, executing nothing), PyTorch state-dict
    /// <c>.pt</c> and plain safetensors. The format is told by content, not by name.
    /// </summary>
    /// <param name="checkpointPath">the checkpoint file</param>
    /// <param name="device"><c>auto</c> (the first CUDA device when there is one, else the CPU),
    /// <c>cpu</c>, <c>cuda</c> or <c>cuda:N</c></param>
    /// <param name="configPath">NVIDIA's <c>config.json</c> for checkpoints that carry no
    /// configuration (state dicts, plain safetensors); without it the configuration is inferred
    /// from the tensor shapes and the mel settings are NVIDIA's (22,050 Hz, 80 mels, hop 256).
    /// Ignored for WaveFlow's own checkpoints.</param>
    /// <param name="options">the default options of every call (<see cref="VocoderOptions.Default"/> if null)</param>
    /// <exception cref="WaveFlowException">the file is missing, damaged or of another model
    /// shape, the config is invalid, the device is unknown or absent, or an option is out of range</exception>
    public static WaveFlowVocoder Load(string checkpointPath, string device = "auto", string? configPath = null, VocoderOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(checkpointPath);
        return Load(checkpointPath, DeviceSpec.Resolve(device, "device"), configPath, options);
    }

    /// <summary>
    /// <see cref="Load(string, string, string?, VocoderOptions?)"/> on a device already resolved
    /// (the CLI's --device). The options are checked here, once, before the checkpoint is read.
    /// </summary>
    internal static WaveFlowVocoder Load(string checkpointPath, Device device, string? configPath, VocoderOptions? options = null)
    {
        var o = options ?? VocoderOptions.Default;
        o.Validate();
        return new(CheckpointLoader.Load(checkpointPath, device, configPath), o);
    }

    /// <summary>
    /// The mel settings the model was trained with: the sample rate, STFT and mel filterbank a
    /// mel must be computed with (give them to <see cref="Mels.FromWav"/>).
    /// </summary>
    public MelOptions MelSettings => loaded.Mel;

    /// <summary>The float32 inverse the synthesizer chose at load (batched serving runs the same one).</summary>
    internal IFlowInverse Flow => synthesizer.Flow;

    /// <summary>Samples per second of the audio (the mel settings' sampling rate).</summary>
    public int SampleRate => loaded.Mel.SamplingRate;

    /// <summary>Mel channels a mel must have (its first dimension).</summary>
    public int MelChannels => loaded.Options.NMelChannels;

    /// <summary>Audio samples per mel frame: a mel of F frames gives F × HopLength samples.</summary>
    public int HopLength => loaded.Mel.HopLength;

    /// <summary>The device the model runs on, as libtorch names it: <c>cpu</c> or <c>cuda:N</c>.</summary>
    public string Device { get; }

    /// <summary>The options calls use when they are given none.</summary>
    public VocoderOptions Options { get; }

    /// <summary>The loaded model and where it came from (its format, configuration, training step).</summary>
    internal LoadedModel Loaded => loaded;

    /// <summary>The synthesizer behind the calls, without the lock (tests drive its stream synchronously).</summary>
    internal Synthesizer Synthesizer => synthesizer;

    /// <summary>
    /// Turns a mel spectrogram into audio.
    /// </summary>
    /// <param name="mel">log mel spectrogram [<see cref="MelChannels"/>, frames] computed with
    /// <see cref="MelSettings"/> (Tacotron2's <c>ln(clamp(mel, 1e-5))</c>)</param>
    /// <param name="options">this call's options (<see cref="Options"/> if null)</param>
    /// <returns>frames × <see cref="HopLength"/> samples at <see cref="SampleRate"/>, nominally in
    /// [-1, 1] (not clipped; with the denoiser, trimmed to whole STFT hops)</returns>
    /// <exception cref="WaveFlowException">the mel has the wrong number of channels, no frames,
    /// NaN or infinity, or an option is out of range</exception>
    public float[] Synthesize(float[,] mel, VocoderOptions? options = null)
    {
        var (array, o) = Prepare(mel, options, "mel");
        return Locked(() => synthesizer.Synthesize(array, o.ToSynthesis()));
    }

    /// <summary>
    /// The CLI's synthesis: a mel that <see cref="MelFile.Read"/> has read and checked against
    /// <see cref="MelChannels"/> (so it is not checked again) and the options this vocoder was
    /// loaded with (checked at load), with optional exact noise in z's layout [n_group, frames·hop/n_group].
    /// </summary>
    internal float[] SynthesizeArray(FloatArray checkedMel, FloatArray? noise, FloatArray? f0 = null, string? f0Source = null)
    {
        var pitch = f0 is null ? null : CheckF0(f0, checkedMel.Shape[^1], f0Source ?? "F0");
        return Locked(() => synthesizer.Synthesize(checkedMel, Options.ToSynthesis(noise) with { F0 = pitch }));
    }
    /// <summary>An F0 track for a model with a harmonic source: [frames] or [1, frames] of Hz per
    /// mel frame (0 = unvoiced), finite and not negative, as many frames as the mel.</summary>
    private float[] CheckF0(FloatArray f0, long frames, string source)
    {
        if (loaded.Model.Source is null)
            throw WaveFlowException.ForFile(source, "this model has no harmonic source, so it takes no F0");
        long[] shape = f0.Shape.Length == 2 && f0.Shape[0] == 1 ? f0.Shape[1..] : f0.Shape;
        if (shape.Length != 1 || shape[0] != frames)
            throw WaveFlowException.ForFile(source, $"F0 has shape {StateDict.Shape(f0.Shape)}, the mel has {frames} frames (need [{frames}])");
        if (f0.Data.Any(v => !float.IsFinite(v) || v < 0))
            throw WaveFlowException.ForFile(source, "F0 holds a negative, NaN or infinite value (Hz per frame, 0 = unvoiced)");
        return f0.Data.ToArray();
    }

    /// <summary>
    /// Turns a mel spectrogram into audio piece by piece, handing out each piece as soon as it is
    /// made: a mel longer than <see cref="VocoderOptions.ChunkFrames"/> gives one piece per chunk
    /// (the first arrives after one chunk's work, not the whole utterance's), a shorter one, or
    /// any mel with the denoiser on, gives one piece. The pieces laid end to end are exactly,
    /// bit for bit, what <see cref="Synthesize"/> returns for the same mel, options and seed.
    /// The work runs on the thread pool; the mel and options are checked when this method is
    /// called, before anything is enumerated.
    /// </summary>
    /// <param name="mel">log mel spectrogram [<see cref="MelChannels"/>, frames], as for <see cref="Synthesize"/></param>
    /// <param name="options">this call's options (<see cref="Options"/> if null)</param>
    /// <param name="cancellationToken">stops the synthesis between chunks</param>
    /// <exception cref="WaveFlowException">as for <see cref="Synthesize"/></exception>
    public IAsyncEnumerable<float[]> SynthesizeStreaming(float[,] mel, VocoderOptions? options = null, CancellationToken cancellationToken = default)
    {
        var (array, o) = Prepare(mel, options, "mel");
        return Pieces(array, o.ToSynthesis(), cancellationToken);
    }

    /// <summary>
    /// Synthesises a mel and writes it as a WAV file at <see cref="SampleRate"/>, atomically (a
    /// temporary file renamed into place: an existing file is replaced only when the new one is
    /// complete).
    /// </summary>
    /// <param name="mel">log mel spectrogram [<see cref="MelChannels"/>, frames]</param>
    /// <param name="path">the WAV file to write</param>
    /// <param name="options">this call's options (<see cref="Options"/> if null)</param>
    /// <param name="format">16-bit PCM (clipped to [-1, 1]) or 32-bit float</param>
    /// <exception cref="WaveFlowException">bad input as for <see cref="Synthesize"/>, or the file
    /// cannot be written</exception>
    public void SynthesizeToWav(float[,] mel, string path, VocoderOptions? options = null, WavSampleFormat format = WavSampleFormat.Pcm16)
    {
        ArgumentNullException.ThrowIfNull(path);
        WavFile.Write(path, Synthesize(mel, options), SampleRate, format);
    }

    /// <summary>Frees the model, its folded copies and the denoiser; waits for a call in progress to end.</summary>
    public void Dispose()
    {
        gate.Wait();
        try
        {
            if (disposed) return;
            disposed = true;
            synthesizer.Dispose();   // and with it the model
        }
        finally { gate.Release(); }
    }

    private (FloatArray Mel, VocoderOptions Options) Prepare(float[,] mel, VocoderOptions? options, string source)
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

    private async Task<T> LockedAsync<T>(Func<T> work, CancellationToken cancellationToken)
    {
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            // Off the caller's thread: a UI or request thread stays free while a chunk is computed.
            return await Task.Run(work, cancellationToken).ConfigureAwait(false);
        }
        finally { gate.Release(); }
    }

    private async IAsyncEnumerable<float[]> Pieces(FloatArray mel, SynthesisOptions options, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // The stream owns its mel and noise tensors; each Next() opens and closes its own dispose
        // scope, so pieces may be computed on different pool threads.
        var stream = await LockedAsync(() => synthesizer.Stream(mel, options), cancellationToken).ConfigureAwait(false);
        try
        {
            while (!stream.Done)
            {
                cancellationToken.ThrowIfCancellationRequested();
                yield return await LockedAsync(stream.Next, cancellationToken).ConfigureAwait(false);
            }
        }
        finally { stream.Dispose(); }
    }
}
