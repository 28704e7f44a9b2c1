using WaveFlow.Audio.Dsp;
using WaveFlow.Audio.Wav;
using WaveFlow.Core;

namespace WaveFlow.Audio;

/// <summary>
/// Mel spectrograms as a vocoder wants them, as <c>float[n_mel, frames]</c>: computed from audio
/// exactly as Tacotron2's <c>TacotronSTFT.mel_spectrogram</c> computes them (reflect padding,
/// periodic Hann window, Slaney mel filterbank, <c>ln(clamp(mel, 1e-5))</c>; relative error below
/// 1e-6 on NVIDIA's reference mels), and read from or written to files (<c>.npy</c>, or
/// <c>.pt</c> as Tacotron2's scripts save them). Every method is thread-safe.
/// </summary>
public static class Mels
{
    /// <summary>
    /// The log mel spectrogram of a mono WAV file (PCM 16/24/32-bit or IEEE float).
    /// </summary>
    /// <param name="path">the WAV file</param>
    /// <param name="settings">the mel settings (a vocoder's <c>MelSettings</c>); null: NVIDIA's
    /// (22,050 Hz, filter 1024, hop 256, 80 mels, 0–8000 Hz)</param>
    /// <param name="resample">convert another sample rate to <see cref="MelOptions.SamplingRate"/>
    /// instead of refusing the file</param>
    /// <param name="downmix">average the channels of a stereo or multichannel file instead of refusing it</param>
    /// <returns>[n_mel, samples / hop + 1]</returns>
    /// <exception cref="WaveFlowException">the file is missing, damaged, too short, of another
    /// sample rate or not mono (without <paramref name="resample"/> / <paramref name="downmix"/>)</exception>
    public static float[,] FromWav(string path, MelOptions? settings = null, bool resample = false, bool downmix = false)
    {
        ArgumentNullException.ThrowIfNull(path);
        settings ??= new MelOptions();
        settings.Validate("mel settings");
        var clip = WavFile.Read(path, new WavReadOptions(settings.SamplingRate, downmix, resample));
        try { return ToMatrix(new MelSpectrogram(settings).Compute(clip.Samples)); }
        catch (WaveFlowException e) when (!e.Message.StartsWith(path, StringComparison.Ordinal))
        {
            throw new WaveFlowException($"{path}: {e.Message}", e.ExitCode, e);
        }
    }

    /// <summary>The log mel spectrogram of mono samples in [-1, 1] at <see cref="MelOptions.SamplingRate"/>.</summary>
    /// <param name="samples">the audio (16-bit PCM as value / 32768)</param>
    /// <param name="settings">the mel settings; null: NVIDIA's</param>
    /// <returns>[n_mel, samples / hop + 1]</returns>
    /// <exception cref="WaveFlowException">fewer than filter_length / 2 + 1 samples</exception>
    public static float[,] FromSamples(ReadOnlySpan<float> samples, MelOptions? settings = null)
    {
        settings ??= new MelOptions();
        settings.Validate("mel settings");
        return ToMatrix(new MelSpectrogram(settings).Compute(samples));
    }

    /// <summary>
    /// Reads a mel file: NumPy <c>.npy</c> (float16/32/64, either axis order in memory) or a
    /// PyTorch <c>.pt</c> holding one tensor (read without Python), shaped [n_mel, frames] or
    /// [1, n_mel, frames].
    /// </summary>
    /// <param name="path">the file</param>
    /// <param name="melChannels">the channels the mel must have (a vocoder's <c>MelChannels</c>), or null</param>
    /// <exception cref="WaveFlowException">the file is missing or damaged, or the mel has another
    /// shape, no frames, NaN or infinity</exception>
    public static float[,] Load(string path, int? melChannels = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        return ToMatrix(MelFile.Read(path, melChannels));
    }

    /// <summary>Writes a mel as <c>.npy</c> or <c>.pt</c> (by the extension), atomically; float16 when <paramref name="half"/>.</summary>
    /// <exception cref="WaveFlowException">another extension, or the file cannot be written</exception>
    public static void Save(string path, float[,] mel, bool half = false)
    {
        ArgumentNullException.ThrowIfNull(path);
        MelFile.Write(path, ToFloatArray(mel), half);
    }

    /// <summary>[n_mel, frames] → the row-major array the library works on (a copy).</summary>
    internal static FloatArray ToFloatArray(float[,] mel)
    {
        ArgumentNullException.ThrowIfNull(mel);
        var data = new float[mel.Length];
        // A float[,] is one row-major block: copied in one go.
        Buffer.BlockCopy(mel, 0, data, 0, data.Length * sizeof(float));
        return new FloatArray(data, [mel.GetLength(0), mel.GetLength(1)]);
    }

    /// <summary>A row-major [n_mel, frames] array → float[n_mel, frames] (a copy).</summary>
    internal static float[,] ToMatrix(FloatArray mel)
    {
        if (mel.Shape.Length != 2) throw new ArgumentException($"a mel is [n_mel, frames], got {mel.Shape.Length} axes", nameof(mel));
        var matrix = new float[mel.Shape[0], mel.Shape[1]];
        Buffer.BlockCopy(mel.Data, 0, matrix, 0, checked((int)mel.Count * sizeof(float)));
        return matrix;
    }
}
