using TorchSharp;
using WaveFlow.Audio;
using WaveFlow.Audio.Dsp;
using WaveFlow.Audio.Wav;
using WaveFlow.Core;
using WaveFlow.Core.Serialization;
using WaveFlow.Tests.Support;
using Xunit.Abstractions;

namespace WaveFlow.Tests.Audio;

public class MelFrontEndTests(ITestOutputHelper output)
{
    public static TheoryData<string> Utterances => new() { "WF001-0001", "WF002-0002" };

    [Theory]
    [MemberData(nameof(Utterances))]
    public void CpuMelEqualsTacotron2Reference(string name)
    {
        var clip = WavFile.Read(Fixture.Path_("mel", name + ".wav"), new WavReadOptions(ExpectedSampleRate: 22050));
        var reference = NpyFile.Read(Fixture.Path_("mel", name + ".mel.npy"));
        var mel = new MelSpectrogram(new MelOptions()).Compute(clip.Samples);
        Assert.Equal(reference.Shape, mel.Shape);
        Assert.Equal(clip.Samples.Length / 256 + 1, mel.Shape[1]);
        double err = Fixture.RelativeL2(mel.Data, reference.Data);
        output.WriteLine($"CPU mel {name}: relative L2 {err:E3}, max |error| {MaxAbs(mel.Data, reference.Data):E3}");
        Assert.True(err < 1e-5, $"relative L2 {err:E3}");
    }

    [Theory]
    [MemberData(nameof(Utterances))]
    public void TorchMelEqualsTacotron2Reference(string name)
    {
        var clip = WavFile.Read(Fixture.Path_("mel", name + ".wav"));
        var reference = NpyFile.Read(Fixture.Path_("mel", name + ".mel.npy"));
        using var front = new TorchMelSpectrogram(new MelOptions(), torch.CPU);
        using var audio = torch.tensor(clip.Samples, [1L, clip.Samples.Length]);
        using var mel = front.Compute(audio);
        Assert.Equal(new long[] { 1, 80, reference.Shape[1] }, mel.shape);
        var values = mel.data<float>().ToArray();
        double err = Fixture.RelativeL2(values, reference.Data);
        output.WriteLine($"Torch mel {name}: relative L2 {err:E3}, max |error| {MaxAbs(values, reference.Data):E3}");
        Assert.True(err < 1e-5, $"relative L2 {err:E3}");
    }

    private static double MaxAbs(float[] a, float[] b) => a.Zip(b, (x, y) => (double)Math.Abs(x - y)).Max();

    [Fact]
    public void TorchMelIsBatchedAndEqualsPerItemResults()
    {
        var a = WavFile.Read(Fixture.Path_("mel", "WF001-0001.wav")).Samples[..20000];
        var b = WavFile.Read(Fixture.Path_("mel", "WF002-0002.wav")).Samples[..20000];
        using var front = new TorchMelSpectrogram(new MelOptions(), torch.CPU);
        using var batch = torch.tensor([.. a, .. b], [2L, 20000]);
        using var mel = front.Compute(batch);
        var cpu = new MelSpectrogram(new MelOptions());
        Assert.True(Fixture.RelativeL2(mel[0].data<float>().ToArray(), cpu.Compute(a).Data) < 1e-5);
        Assert.True(Fixture.RelativeL2(mel[1].data<float>().ToArray(), cpu.Compute(b).Data) < 1e-5);
    }

    [Fact]
    public void CpuAndTorchMelsAgreeForANonPowerOfTwoFilterLength()
    {
        // 16 kHz configs use filter 800 / hop 200 / win 800: the CPU mel then takes a direct DFT.
        var options = new MelOptions { SamplingRate = 16000, FilterLength = 800, HopLength = 200, WinLength = 640, MelFmax = 7600 };
        var audio = WavFile.Read(Fixture.Path_("mel", "WF002-0002.wav")).Samples[..16000];
        var cpu = new MelSpectrogram(options).Compute(audio);
        using var front = new TorchMelSpectrogram(options, torch.CPU);
        using var x = torch.tensor(audio, [1L, audio.Length]);
        using var mel = front.Compute(x);
        Assert.Equal(new long[] { 80, 16000 / 200 + 1 }, cpu.Shape);
        double err = Fixture.RelativeL2(cpu.Data, mel.data<float>().ToArray());
        Assert.True(err < 1e-5, $"relative L2 {err:E3}");
    }

    [Fact]
    public void FilterbankEqualsLibrosaSlaneyFormula()
    {
        var options = new MelOptions();
        var bank = MelFilterbank.Create(options);
        Assert.Equal(80 * 513, bank.Length);
        // Independent truth: librosa.filters.mel written out (Slaney scale, area normalisation).
        static double HzToMel(double f) => f < 1000 ? f * 3 / 200 : 15 + Math.Log(f / 1000) / (Math.Log(6.4) / 27);
        static double MelToHz(double m) => m < 15 ? m * 200 / 3 : 1000 * Math.Exp((m - 15) * Math.Log(6.4) / 27);
        double lo = HzToMel(0), hi = HzToMel(8000);
        var points = Enumerable.Range(0, 82).Select(i => MelToHz(lo + (hi - lo) * i / 81)).ToArray();
        double maxErr = 0;
        for (int m = 0; m < 80; m++)
            for (int k = 0; k < 513; k++)
            {
                double f = k * 22050.0 / 1024;
                double lower = (f - points[m]) / (points[m + 1] - points[m]);
                double upper = (points[m + 2] - f) / (points[m + 2] - points[m + 1]);
                double w = Math.Max(0, Math.Min(lower, upper)) * 2 / (points[m + 2] - points[m]);
                maxErr = Math.Max(maxErr, Math.Abs(bank[m * 513 + k] - w) / (2 / (points[m + 2] - points[m])));
            }
        Assert.True(maxErr < 1e-6, $"max error relative to band height {maxErr:E3}");
    }

    [Fact]
    public void PeriodicHannAndReflectPadMatchNumpy()
    {
        var w = HannWindow.Periodic(8, 4);
        Assert.Equal(new double[] { 0, 0, 0, 0.5, 1, 0.5, 0, 0 }, w.Select(x => Math.Round(x, 12)).ToArray());
        // numpy.pad([1, 2, 3, 4], 2, mode="reflect") = [3, 2, 1, 2, 3, 4, 3, 2]
        Assert.Equal(new float[] { 3, 2, 1, 2, 3, 4, 3, 2 }, MelSpectrogram.ReflectPad(new float[] { 1, 2, 3, 4 }, 2));
    }

    [Fact]
    public void TooShortAudioIsAClearError()
    {
        var e = Assert.Throws<WaveFlowException>(() => new MelSpectrogram(new MelOptions()).Compute(new float[100]));
        Assert.Contains("too short", e.Message);
    }

    [Fact]
    public void MelOptionsValidateNamesTheKey()
    {
        var e = Assert.Throws<WaveFlowException>(() => (new MelOptions() with { MelFmax = 20000 }).Validate("config.json"));
        Assert.StartsWith("config.json: mel_fmax", e.Message);
        e = Assert.Throws<WaveFlowException>(() => (new MelOptions() with { HopLength = 0 }).Validate("c.json"));
        Assert.Contains("hop_length", e.Message);
        var parsed = System.Text.Json.JsonSerializer.Deserialize<MelOptions>("""{"sampling_rate": 16000, "n_mel_channels": 64, "mel_fmax": 7600.0}""")!;
        Assert.Equal(16000, parsed.SamplingRate);
        Assert.Equal(64, parsed.NMelChannels);
        Assert.Equal(1024, parsed.FilterLength);
        parsed.Validate("x");
    }
}
