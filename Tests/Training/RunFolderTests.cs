using System.Text.Json;
using WaveFlow.Core;
using WaveFlow.Tests.Support;
using WaveFlow.Training.Config;
using WaveFlow.Training.Logging;
using WaveFlow.Training.Loop;
using WaveFlow.Training.Run;

namespace WaveFlow.Tests.Training;

public class RunFolderTests
{
    [Fact]
    public void CommitMovesLatestAndKeepsTheNewestK()
    {
        using var tmp = new TempDir();
        var run = RunFolder.CreateNew(tmp["run"]);
        Assert.Null(run.LatestIteration());
        foreach (var it in new long[] { 0, 100, 200, 300 })
        {
            File.WriteAllText(run.ModelPath(it), "weights");
            new TrainerState { Iteration = it }.Save(run.StatePath(it), w => w.Write(123));
            run.Commit(it, keepLast: 2);
        }
        Assert.Equal(300, run.LatestIteration());
        Assert.Equal([200L, 300L], run.CheckpointIterations());
        Assert.False(File.Exists(run.ModelPath(100)));
        Assert.Equal("waveflow-00000300\n", File.ReadAllText(run.LatestPointer));
        var e = Assert.Throws<WaveFlowException>(() => RunFolder.CreateNew(tmp["run"]));
        Assert.Contains("already holds a training run", e.Message);
    }

    [Fact]
    public void TrainerStateRoundTripsWithTheOptimizerBlob()
    {
        using var tmp = new TempDir();
        var state = new TrainerState { Iteration = 77, Epoch = 3, Seed = 9, SkippedNonfinite = 2, BestValidationNll = -4.5, BestIteration = 50, LearningRate = 1e-3 };
        state.Save(tmp["s.state"], w => { w.Write(3.25); w.Write("adam"); });
        double x = 0; string? name = null;
        var back = TrainerState.Load(tmp["s.state"], r => { x = r.ReadDouble(); name = r.ReadString(); });
        Assert.Equal(state with { SavedUtc = back.SavedUtc, OptimizerChecksum = true }, back);   // files carry the optimizer section's checksum
        Assert.Equal((3.25, "adam"), (x, name));
        File.WriteAllBytes(tmp["bad.state"], [1, 2, 3]);
        Assert.Contains("bad magic", Assert.Throws<WaveFlowException>(() => TrainerState.Load(tmp["bad.state"], null)).Message);
    }

    [Fact]
    public void LatestPointerToAMissingCheckpointIsAClearError()
    {
        using var tmp = new TempDir();
        var run = RunFolder.CreateNew(tmp["run"]);
        File.WriteAllText(run.LatestPointer, "waveflow-00000500\n");
        var e = Assert.Throws<WaveFlowException>(() => run.LatestIteration());
        Assert.Contains("is missing", e.Message);
    }

    [Fact]
    public void TfRecordCrcIsMaskedCrc32C()
    {
        // CRC-32C (Castagnoli)'s check value for "123456789" is E3069283; TFRecord masks it by
        // rotating right 15 bits and adding A282EAD8.
        const uint check = 0xE3069283u;
        Assert.Equal(((check >> 15) | (check << 17)) + 0xA282EAD8u, TensorBoardWriter.MaskedCrc("123456789"u8.ToArray()));
        // An independent CRC-32C (TorchSharp's) agrees on bytes of every value.
        var bytes = Enumerable.Range(0, 1000).Select(i => (byte)(i * 37 + i / 256)).ToArray();
        uint crc = TorchSharp.Utils.CRC32C.process(bytes);
        Assert.Equal(((crc >> 15) | (crc << 17)) + 0xA282EAD8u, TensorBoardWriter.MaskedCrc(bytes));
    }

    [Fact]
    public void TensorBoardEventsReadBackWithValidCrcs()
    {
        using var tmp = new TempDir();
        string path;
        using (var tb = new TensorBoardWriter(tmp["tb"]))
        {
            tb.AddScalar("train/loss", -3.5, 10);
            tb.AddAudio("validation/audio", [0f, 0.5f, -0.5f, 1f], 22050, 20);
            tb.AddPng("validation/mel", [0x89, 0x50, 0x4E, 0x47], 4, 2, 20);
            path = tb.Path;
        }
        var events = TensorBoardWriter.ReadEvents(path);
        Assert.Equal("brain.Event:2", events[0].FileVersion);
        Assert.Equal(("train/loss", -3.5f, 10L), (events[1].Summary.Value[0].Tag, events[1].Summary.Value[0].SimpleValue, events[1].Step));
        var audio = events[2].Summary.Value[0].Audio;
        Assert.Equal((22050f, 4L), (audio.SampleRate, audio.LengthFrames));
        var wav = audio.EncodedAudioString.ToByteArray();
        Assert.Equal(44 + 8, wav.Length);
        Assert.Equal(16384, BitConverter.ToInt16(wav, 46));          // 0.5 · 32767 = 16383.5, rounded half to even
        Assert.Equal(2, events[3].Summary.Value[0].Image.Height);
        var bytes = File.ReadAllBytes(path);
        bytes[^1] ^= 0xFF;                                            // damage the last CRC
        File.WriteAllBytes(path, bytes);
        Assert.Contains("bad payload CRC", Assert.Throws<WaveFlowException>(() => TensorBoardWriter.ReadEvents(path)).Message);
    }

    [Theory]
    [InlineData("constant", 0, 0, 1e-3)]
    [InlineData("constant", 10, 4, 1e-3)]
    [InlineData("constant", 0, 4, 0.25e-3)]
    [InlineData("step", 250, 0, 0.25e-3)]
    [InlineData("exponential", 50, 0, 0.70710678118654757e-3)]
    [InlineData("cosine", 50, 0, 0.55e-3)]
    [InlineData("cosine", 1000, 0, 1e-4)]
    public void LearningRateScheduleHasTheDocumentedValues(string kind, long iteration, int warmup, double expected)
    {
        var options = new TrainOptions { LearningRate = 1e-3, LrSchedule = kind, LrDecayIterations = 100, LrDecayGamma = 0.5, LrMin = 1e-4, LrWarmupIterations = warmup };
        Assert.Equal(expected, new LearningRateSchedule(options).At(iteration), 12);
    }

    [Fact]
    public void TrainOptionsJsonNamesAreNvidias()
    {
        var json = JsonSerializer.Serialize(new TrainOptions());
        foreach (var key in new[] { "output_directory", "epochs", "learning_rate", "sigma", "iters_per_checkpoint", "batch_size", "seed", "fp16_run", "checkpoint_path", "with_tensorboard" })
            Assert.Contains($"\"{key}\":", json);
    }
}
