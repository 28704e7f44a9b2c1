using WaveFlow.Audio.Wav;
using WaveFlow.Core;

namespace WaveFlow.Training.Data;

/// <summary>
/// Checks a corpus clip from its header alone (<see cref="WavHeader"/>), so a corpus of thousands
/// of clips is checked in a second before training starts, instead of failing hours in when the
/// sampler first meets a bad file. Decoding the samples is WavFile's job.
/// </summary>
internal static class WavProbe
{
    /// <summary>Checks what training needs: mono, the expected rate, a format WavFile decodes, whole.</summary>
    public static WavHeader Check(string path, int expectedSampleRate)
    {
        var h = WavHeader.Read(path);
        if (h.SampleRate != expectedSampleRate)
            throw WaveFlowException.ForFile(path, $"sample rate is {h.SampleRate} Hz, the config's data_config.sampling_rate is {expectedSampleRate} Hz (resample the corpus, e.g. sox in.wav -r {expectedSampleRate} out.wav)");
        if (h.Channels != 1)
            throw WaveFlowException.ForFile(path, $"has {h.Channels} channels; training needs mono clips");
        if (h.Format is not (1 or 3 or 0xFFFE))
            throw WaveFlowException.ForFile(path, $"unsupported WAV format tag {h.Format} (PCM or IEEE float expected)");
        h.ThrowIfTruncated(path);
        if (h.Frames == 0) throw WaveFlowException.ForFile(path, "has no samples");
        return h;
    }
}
