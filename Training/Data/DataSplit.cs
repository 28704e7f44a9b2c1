using WaveFlow.Core;

namespace WaveFlow.Training.Data;

/// <summary>
/// The seeded train/validation/test partition of a corpus. It is written into the run folder as
/// three filelists (split/train.txt, validation.txt, test.txt: NVIDIA's format, one wav path per
/// line) and read back from there on --resume, so a run keeps its held-out clips even if the
/// corpus folder later gains files.
/// </summary>
internal sealed record DataSplit(IReadOnlyList<CorpusClip> Train, IReadOnlyList<CorpusClip> Validation, IReadOnlyList<CorpusClip> Test)
{
    public const string Folder = "split";

    /// <summary>Shuffles the clips (sorted by path first, so the listing order does not matter)
    /// with a stream derived from <paramref name="seed"/>; the first clips are held out.</summary>
    public static DataSplit Create(Corpus corpus, int validationClips, int testClips, long seed)
    {
        int heldOut = validationClips + testClips;
        if (corpus.Clips.Count <= heldOut)
            throw WaveFlowException.ForFile(corpus.Source,
                $"has {corpus.Clips.Count} clips; validation_clips ({validationClips}) + test_clips ({testClips}) leave none for training");
        var clips = corpus.Clips.OrderBy(c => c.WavPath, StringComparer.Ordinal).ToList();
        SeededStream.Derive(seed, Purpose.Split).Shuffle(clips);
        return new DataSplit(
            clips.Skip(heldOut).ToList(),
            clips.Take(validationClips).ToList(),
            clips.Skip(validationClips).Take(testClips).ToList());
    }

    public void Write(string runFolder)
    {
        var dir = Path.Combine(runFolder, Folder);
        Corpus.WriteFilelist(Path.Combine(dir, "train.txt"), Train);
        Corpus.WriteFilelist(Path.Combine(dir, "validation.txt"), Validation);
        Corpus.WriteFilelist(Path.Combine(dir, "test.txt"), Test);
    }

    public static DataSplit Read(string runFolder)
    {
        var dir = Path.Combine(runFolder, Folder);
        IReadOnlyList<CorpusClip> List(string name, bool mayBeEmpty)
        {
            var path = Path.Combine(dir, name);
            if (!File.Exists(path)) throw WaveFlowException.ForFile(path, "not found: the run folder has no data split (was it made by 'waveflow train'?)");
            if (mayBeEmpty && new FileInfo(path).Length == 0) return [];
            return Corpus.ReadFilelist(path).Clips;
        }
        return new DataSplit(List("train.txt", false), List("validation.txt", false), List("test.txt", true));
    }
}
