using WaveFlow.Audio.Wav;
using WaveFlow.Core;
using WaveFlow.Training.Config;
using WaveFlow.Training.Data;
using WaveFlow.Training.Run;

namespace WaveFlow.Training.Loop;

/// <summary>
/// The data side of a run, settled before anything is written: the split (new, or the run's
/// own on resume), every training and validation wav checked (exists, mono, right rate) so a bad
/// file fails now and not hours into training, the sampler, and the validation audio in memory.
/// </summary>
internal sealed class TrainingData
{
    public required DataSplit Split { get; init; }
    public required SegmentSampler Sampler { get; init; }
    public required IReadOnlyList<float[]> ValidationAudio { get; init; }
    public required int SampleRate { get; init; }

    /// <summary>With <paramref name="worldSize"/> processes the sampler draws global batches of
    /// world × batch_size clips, of which each rank takes its own batch_size slots.</summary>
    public static TrainingData Prepare(TrainingConfig config, TrainRequest request, RunFolder? existingRun, int worldSize = 1)
    {
        DataSplit split;
        string dataSource;
        if (existingRun is not null)
        {
            split = DataSplit.Read(existingRun.Root);
            dataSource = Path.Combine(existingRun.Root, DataSplit.Folder);
        }
        else
        {
            var source = request.DataPath;
            if (string.IsNullOrWhiteSpace(source))
            {
                if (string.IsNullOrWhiteSpace(config.Data.TrainingFiles))
                    throw new WaveFlowException("--data: required (an LJSpeech-layout folder or a filelist), or set data_config.training_files in the config");
                source = Path.IsPathRooted(config.Data.TrainingFiles)
                    ? config.Data.TrainingFiles
                    : Path.Combine(Path.GetDirectoryName(Path.GetFullPath(config.Source)) ?? ".", config.Data.TrainingFiles);
            }
            var corpus = Corpus.Open(source);
            dataSource = corpus.Source;
            split = DataSplit.Create(corpus, config.Train.ValidationClips, config.Train.TestClips, config.Train.Seed);
        }

        int rate = config.Mel.SamplingRate;
        foreach (var clip in split.Train.Concat(split.Validation)) WavProbe.Check(clip.WavPath, rate);
        int global = config.Train.BatchSize * worldSize;
        // Said here, where the corpus is known: the sampler only knows the count of training clips.
        if (split.Train.Count < global)
        {
            string need = worldSize > 1
                ? $"{worldSize} processes × train_config.batch_size {config.Train.BatchSize} = {global} clips per step: add clips, lower batch_size or start fewer processes"
                : $"train_config.batch_size ({config.Train.BatchSize}): add clips or lower batch_size";
            throw WaveFlowException.ForFile(dataSource,
                $"has {split.Train.Count + split.Validation.Count + split.Test.Count} usable clip(s); after {split.Validation.Count} for validation and {split.Test.Count} for test, " +
                $"{split.Train.Count} remain for training, fewer than {need}");
        }
        var sampler = new SegmentSampler(split.Train.Count, global, config.Data.SegmentLength, config.Train.Seed);
        var validation = split.Validation
            .Select(c => Validator.Trim(Load(c, rate), config.Train.ValidationSegmentLength, config.Model.NGroup))
            .ToList();
        return new TrainingData { Split = split, Sampler = sampler, ValidationAudio = validation, SampleRate = rate };
    }

    /// <summary>A clip's samples in [-1, 1] at the config's rate (WavFile names the file on any problem).</summary>
    public static float[] Load(CorpusClip clip, int sampleRate) =>
        WavFile.Read(clip.WavPath, new WavReadOptions(ExpectedSampleRate: sampleRate)).Samples;
}
