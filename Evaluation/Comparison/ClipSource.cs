using WaveFlow.Audio;
using WaveFlow.Audio.Dsp;
using WaveFlow.Audio.Wav;
using WaveFlow.Core;

namespace WaveFlow.Evaluation.Comparison;

/// <summary>
/// Finds and loads the inputs: mel files (.npy/.pt) or WAV files of a folder, in ordinal name order
/// so the clip set is the same on every machine. An LJSpeech-layout corpus folder (with wavs/) works too.
/// </summary>
internal static class ClipSource
{
    static readonly string[] MelExtensions = [".npy", ".pt", ".pth"];

    public static IReadOnlyList<string> ListWavs(string dir)
    {
        if (!Directory.Exists(dir)) throw WaveFlowException.ForFile(dir, "folder not found");
        var folder = Directory.Exists(Path.Combine(dir, "wavs")) ? Path.Combine(dir, "wavs") : dir;
        var files = Directory.GetFiles(folder).Where(f => f.EndsWith(".wav", StringComparison.OrdinalIgnoreCase))
            .Order(StringComparer.Ordinal).ToList();
        if (files.Count == 0) throw WaveFlowException.ForFile(folder, "holds no .wav files");
        return files;
    }

    public static IReadOnlyList<string> ListMels(string dir)
    {
        if (!Directory.Exists(dir)) throw WaveFlowException.ForFile(dir, "folder not found");
        var files = Directory.GetFiles(dir).Where(f => MelExtensions.Contains(Path.GetExtension(f).ToLowerInvariant()))
            .Order(StringComparer.Ordinal).ToList();
        if (files.Count == 0) throw WaveFlowException.ForFile(dir, "holds no mel files (.npy, .pt)");
        return files;
    }

    /// <summary>The first <paramref name="limit"/> mels of the folder (all when null).</summary>
    public static IReadOnlyList<InputClip> FromMels(string dir, MelOptions mel, int? limit = null) =>
        Take(ListMels(dir), limit).Select(f => new InputClip(Name(f), MelFile.Read(f, mel.NMelChannels), null)).ToList();

    /// <summary>
    /// The first <paramref name="limit"/> recordings of the folder, resampled to the model's rate and
    /// downmixed, optionally cut to the centred <paramref name="cropSeconds"/>, with their mels.
    /// </summary>
    public static IReadOnlyList<InputClip> FromWavs(string dir, MelOptions mel, int? limit = null, double? cropSeconds = null) =>
        FromFiles(Take(ListWavs(dir), limit).ToList(), mel, cropSeconds);

    /// <summary>The recordings <paramref name="files"/> (in the order given), prepared as <see cref="FromWavs"/> does.</summary>
    public static IReadOnlyList<InputClip> FromFiles(IReadOnlyList<string> files, MelOptions mel, double? cropSeconds = null)
    {
        var melSpec = new MelSpectrogram(mel);
        var read = new WavReadOptions(ExpectedSampleRate: mel.SamplingRate, Downmix: true, Resample: true);
        var clips = new List<InputClip>();
        foreach (var f in files)
        {
            var audio = WavFile.Read(f, read).Samples;
            if (cropSeconds is { } s) audio = CenterCrop(audio, (int)Math.Round(s * mel.SamplingRate));
            // whole hops only: the mel of T = k·hop samples has k + 1 frames, frame j centred on
            // sample j·hop, and the vocoder returns (k + 1)·hop samples starting at the same sample
            // 0, so output and recording line up sample for sample over the recording's length
            audio = audio[..(audio.Length / mel.HopLength * mel.HopLength)];
            if (audio.Length < 2 * mel.HopLength) throw WaveFlowException.ForFile(f, $"too short: {audio.Length} samples (need at least {2 * mel.HopLength})");
            clips.Add(new InputClip(Name(f), melSpec.Compute(audio), audio));
        }
        return clips;
    }

    /// <summary>The centred <paramref name="samples"/> of <paramref name="audio"/> (all of it when shorter).</summary>
    public static float[] CenterCrop(float[] audio, int samples)
    {
        if (samples <= 0 || audio.Length <= samples) return audio;
        int start = (audio.Length - samples) / 2;
        return audio[start..(start + samples)];
    }

    static IEnumerable<string> Take(IReadOnlyList<string> files, int? limit)
    {
        if (limit is < 1) throw new WaveFlowException($"clip limit {limit}: must be at least 1");
        return limit is { } n ? files.Take(n) : files;
    }

    static string Name(string path) => Path.GetFileNameWithoutExtension(path);
}
