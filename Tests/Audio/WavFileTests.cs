using System.Text;
using WaveFlow.Audio.Wav;
using WaveFlow.Core;
using WaveFlow.Tests.Support;

namespace WaveFlow.Tests.Audio;

public sealed class WavFileTests : IDisposable
{
    private readonly TempDir _tmp = new();
    public void Dispose() => _tmp.Dispose();
    private string PathOf(string name) => _tmp[name];

    private static byte[] Wav(ushort tag, int channels, int rate, int bits, byte[] data, int? declaredData = null) =>
        WavBytes.Build(tag, channels, rate, bits, data, declaredData);

    [Fact]
    public void ReadsPcm16Pcm24Pcm32AndFloatScaledToUnitRange()
    {
        // The most negative code of each width is exactly -1; half scale is exactly 0.5.
        File.WriteAllBytes(PathOf("16.wav"), Wav(1, 1, 22050, 16, [0x00, 0x80, 0x00, 0x40, 0xFF, 0xFF]));
        File.WriteAllBytes(PathOf("24.wav"), Wav(1, 1, 22050, 24, [0x00, 0x00, 0x80, 0x00, 0x00, 0x40, 0xFF, 0xFF, 0xFF]));
        File.WriteAllBytes(PathOf("32.wav"), Wav(1, 1, 22050, 32, [0, 0, 0, 0x80, 0, 0, 0, 0x40, 0xFF, 0xFF, 0xFF, 0xFF]));
        var floats = new byte[12];
        Buffer.BlockCopy(new float[] { -1f, 0.5f, 0.25f }, 0, floats, 0, 12);
        File.WriteAllBytes(PathOf("f.wav"), Wav(3, 1, 22050, 32, floats));

        Assert.Equal(new[] { -1f, 0.5f, -1f / 32768 }, WavFile.Read(PathOf("16.wav")).Samples);
        Assert.Equal(new[] { -1f, 0.5f, -1f / 8388608 }, WavFile.Read(PathOf("24.wav")).Samples);
        Assert.Equal(new[] { -1f, 0.5f, (float)(-1 / 2147483648.0) }, WavFile.Read(PathOf("32.wav")).Samples);
        var f = WavFile.Read(PathOf("f.wav"));
        Assert.Equal(new[] { -1f, 0.5f, 0.25f }, f.Samples);
        Assert.Equal(22050, f.SampleRate);
    }

    [Theory]
    [InlineData(WavSampleFormat.Pcm16)]
    [InlineData(WavSampleFormat.Float32)]
    public void WriteThenReadRoundTrips(WavSampleFormat format)
    {
        var rng = new Random(3);
        // Multiples of 1/32768 survive PCM16 exactly; anything survives float32.
        var samples = Enumerable.Range(0, 1000).Select(_ => rng.Next(-32768, 32768) / 32768f).ToArray();
        WavFile.Write(PathOf("out.wav"), samples, 16000, format);
        var back = WavFile.Read(PathOf("out.wav"));
        Assert.Equal(16000, back.SampleRate);
        Assert.Equal(samples, back.Samples);
        Assert.Empty(Directory.GetFiles(_tmp.Path, "*.tmp"));
    }

    [Fact]
    public void Pcm16WriteClipsOutOfRangeSamples()
    {
        WavFile.Write(PathOf("clip.wav"), [2f, -2f, 1f], 8000);
        Assert.Equal(new[] { 32767 / 32768f, -1f, 32767 / 32768f }, WavFile.Read(PathOf("clip.wav")).Samples);
    }

    [Fact]
    public void StereoIsAnErrorUnlessDownmixed()
    {
        // frames: (L, R) = (0.5, -0.5), (0.25, 0.75)
        File.WriteAllBytes(PathOf("st.wav"), Wav(1, 2, 22050, 16, [0x00, 0x40, 0x00, 0xC0, 0x00, 0x20, 0x00, 0x60]));
        var e = Assert.Throws<WaveFlowException>(() => WavFile.Read(PathOf("st.wav")));
        Assert.StartsWith(PathOf("st.wav") + ":", e.Message);
        Assert.Contains("2 channels", e.Message);
        Assert.DoesNotContain("\n", e.Message);
        Assert.Equal(new[] { 0f, 0.5f }, WavFile.Read(PathOf("st.wav"), new WavReadOptions(Downmix: true)).Samples);
    }

    [Fact]
    public void OtherSampleRateIsAnErrorUnlessResampled()
    {
        // 1 s of a 440 Hz sine at 44.1 kHz becomes 1 s of the same sine at 22.05 kHz.
        var sine = Enumerable.Range(0, 44100).Select(i => (float)(0.5 * Math.Sin(2 * Math.PI * 440 * i / 44100))).ToArray();
        WavFile.Write(PathOf("44k.wav"), sine, 44100, WavSampleFormat.Float32);
        var e = Assert.Throws<WaveFlowException>(() => WavFile.Read(PathOf("44k.wav"), new WavReadOptions(ExpectedSampleRate: 22050)));
        Assert.Contains("44100 Hz", e.Message);
        Assert.Contains("22050 Hz", e.Message);

        var clip = WavFile.Read(PathOf("44k.wav"), new WavReadOptions(ExpectedSampleRate: 22050, Resample: true));
        Assert.Equal(22050, clip.SampleRate);
        Assert.InRange(clip.Samples.Length, 22040, 22060);
        var expected = Enumerable.Range(0, clip.Samples.Length).Select(i => (float)(0.5 * Math.Sin(2 * Math.PI * 440 * i / 22050))).ToArray();
        // Away from the edges the converted signal is the ideal sine to within 1%.
        double err = Fixture.RelativeL2(clip.Samples.AsSpan(500, 21000), expected.AsSpan(500, 21000));
        Assert.True(err < 0.01, $"relative L2 {err:E3}");
    }

    [Theory]
    [InlineData(48000, 22050)]
    [InlineData(16000, 22050)]
    [InlineData(22050, 16000)]
    public void ResamplerKeepsToneAmplitudePhaseAndDc(int from, int to)
    {
        static float[] Tone(int rate, int n) => Enumerable.Range(0, n).Select(i => (float)(0.3 + 0.5 * Math.Cos(2 * Math.PI * 1000 * i / rate + 0.7))).ToArray();
        var converted = AudioResampler.Resample(Tone(from, from), from, to);
        Assert.Equal(to, converted.Length);
        var expected = Tone(to, to);
        double err = Fixture.RelativeL2(converted.AsSpan(400, to - 800), expected.AsSpan(400, to - 800));
        Assert.True(err < 1e-3, $"relative L2 {err:E3}");
    }

    [Fact]
    public void ResamplerRemovesContentAboveTheNewNyquist()
    {
        // 15 kHz cannot exist at 22.05 kHz: it must be filtered out, not folded to 7.05 kHz.
        var tone = Enumerable.Range(0, 44100).Select(i => (float)(0.5 * Math.Sin(2 * Math.PI * 15000 * i / 44100))).ToArray();
        var down = AudioResampler.Resample(tone, 44100, 22050);
        double rms = Math.Sqrt(down.Skip(500).Take(21000).Average(x => (double)x * x));
        Assert.True(rms < 0.01, $"alias rms {rms:E3} (input rms 0.35)");
    }

    [Fact]
    public void WrittenHeadersFollowTheFormatsLayout()
    {
        // PCM: RIFF, a 16-byte fmt chunk, data: 44 bytes before the samples.
        var pcm = WavFile.Encode([0.5f, -1f, 1f], 22050);
        Assert.Equal(44 + 6, pcm.Length);
        Assert.Equal("RIFF", Encoding.ASCII.GetString(pcm, 0, 4));
        Assert.Equal(pcm.Length - 8, BitConverter.ToInt32(pcm, 4));
        Assert.Equal("WAVEfmt ", Encoding.ASCII.GetString(pcm, 8, 8));
        Assert.Equal((16, 1, 1, 22050, 44100, 2, 16), (BitConverter.ToInt32(pcm, 16), BitConverter.ToInt16(pcm, 20), BitConverter.ToInt16(pcm, 22),
            BitConverter.ToInt32(pcm, 24), BitConverter.ToInt32(pcm, 28), BitConverter.ToInt16(pcm, 32), BitConverter.ToInt16(pcm, 34)));
        Assert.Equal(("data", 6), (Encoding.ASCII.GetString(pcm, 36, 4), BitConverter.ToInt32(pcm, 40)));
        Assert.Equal(new short[] { 16384, -32768, 32767 }, new short[] { BitConverter.ToInt16(pcm, 44), BitConverter.ToInt16(pcm, 46), BitConverter.ToInt16(pcm, 48) });

        // IEEE float: an 18-byte fmt chunk (cbSize 0) and the fact chunk (sample count) non-PCM formats carry: 58 bytes.
        var f = WavFile.Encode([0.25f, -0.5f], 16000, WavSampleFormat.Float32);
        Assert.Equal(58 + 8, f.Length);
        Assert.Equal(f.Length - 8, BitConverter.ToInt32(f, 4));
        Assert.Equal((18, 3, 1, 16000, 64000, 4, 32, 0), (BitConverter.ToInt32(f, 16), BitConverter.ToInt16(f, 20), BitConverter.ToInt16(f, 22),
            BitConverter.ToInt32(f, 24), BitConverter.ToInt32(f, 28), BitConverter.ToInt16(f, 32), BitConverter.ToInt16(f, 34), BitConverter.ToInt16(f, 36)));
        Assert.Equal(("fact", 4, 2), (Encoding.ASCII.GetString(f, 38, 4), BitConverter.ToInt32(f, 42), BitConverter.ToInt32(f, 46)));
        Assert.Equal(("data", 8), (Encoding.ASCII.GetString(f, 50, 4), BitConverter.ToInt32(f, 54)));
        Assert.Equal((0.25f, -0.5f), (BitConverter.ToSingle(f, 58), BitConverter.ToSingle(f, 62)));
    }

    /// <summary>WAVE_FORMAT_EXTENSIBLE: a 40-byte fmt chunk whose SubFormat GUID names the encoding;
    /// a LIST chunk of odd size (padded to even) before the data.</summary>
    private static byte[] Extensible(Guid subFormat, int bits, byte[] data)
    {
        using var ms = new MemoryStream();
        using var w = new BinaryWriter(ms);
        int blockAlign = bits / 8;
        w.Write(Encoding.ASCII.GetBytes("RIFF")); w.Write(4 + 48 + 14 + 8 + data.Length); w.Write(Encoding.ASCII.GetBytes("WAVE"));
        w.Write(Encoding.ASCII.GetBytes("fmt ")); w.Write(40); w.Write((ushort)0xFFFE); w.Write((ushort)1);
        w.Write(22050); w.Write(22050 * blockAlign); w.Write((ushort)blockAlign); w.Write((ushort)bits);
        w.Write((ushort)22); w.Write((ushort)bits); w.Write(4);          // cbSize, valid bits, channel mask (front centre)
        w.Write(subFormat.ToByteArray());
        w.Write(Encoding.ASCII.GetBytes("LIST")); w.Write(5); w.Write(Encoding.ASCII.GetBytes("INFOx")); w.Write((byte)0);
        w.Write(Encoding.ASCII.GetBytes("data")); w.Write(data.Length); w.Write(data);
        w.Flush();
        return ms.ToArray();
    }

    [Fact]
    public void ReadsWaveFormatExtensibleAndRefusesAnUnknownSubFormat()
    {
        var pcm = new Guid("00000001-0000-0010-8000-00aa00389b71");     // KSDATAFORMAT_SUBTYPE_PCM
        var ieee = new Guid("00000003-0000-0010-8000-00aa00389b71");    // KSDATAFORMAT_SUBTYPE_IEEE_FLOAT
        File.WriteAllBytes(PathOf("ext16.wav"), Extensible(pcm, 16, [0x00, 0x40, 0x00, 0x80]));
        Assert.Equal(new[] { 0.5f, -1f }, WavFile.Read(PathOf("ext16.wav")).Samples);
        File.WriteAllBytes(PathOf("extf.wav"), Extensible(ieee, 32, [.. BitConverter.GetBytes(0.75f), .. BitConverter.GetBytes(-0.125f)]));
        Assert.Equal(new[] { 0.75f, -0.125f }, WavFile.Read(PathOf("extf.wav")).Samples);
        var other = new Guid("00000001-0000-0010-8000-00aa00389b72");
        File.WriteAllBytes(PathOf("extx.wav"), Extensible(other, 16, [0, 0]));
        var e = Assert.Throws<WaveFlowException>(() => WavFile.Read(PathOf("extx.wav")));
        Assert.Equal($"{PathOf("extx.wav")}: unsupported WAVE_FORMAT_EXTENSIBLE subformat {other}", e.Message);
    }

    [Fact]
    public void TruncatedCorruptMissingAndEmptyFilesGiveOneLineNamingTheFile()
    {
        var data = new byte[4000];
        var full = Wav(1, 1, 22050, 16, data);
        File.WriteAllBytes(PathOf("trunc.wav"), full[..(44 + 120)]);
        File.WriteAllBytes(PathOf("garbage.wav"), Encoding.ASCII.GetBytes("this is not a wave file at all, just text"));
        File.WriteAllBytes(PathOf("header.wav"), full[..20]);
        File.WriteAllBytes(PathOf("empty.wav"), []);
        File.WriteAllBytes(PathOf("alaw.wav"), Wav(6, 1, 8000, 8, new byte[10]));
        var badAlign = Wav(1, 1, 22050, 16, new byte[12]);
        badAlign[32] = 4;  // block align field (offset 32): 4 bytes a frame for 16-bit mono
        File.WriteAllBytes(PathOf("align.wav"), badAlign);

        var cases = new (string File, string Expect)[]
        {
            ("trunc.wav", "truncated"), ("garbage.wav", "not a WAV file (no RIFF/WAVE header)"), ("header.wav", "truncated fmt chunk"),
            ("empty.wav", "empty"), ("missing.wav", "not found"), ("alaw.wav", "unsupported"), ("align.wav", "inconsistent WAV header"),
        };
        foreach (var (file, expect) in cases)
        {
            var e = Assert.Throws<WaveFlowException>(() => WavFile.Read(PathOf(file)));
            Assert.StartsWith(PathOf(file) + ": ", e.Message);
            Assert.Contains(expect, e.Message);
            Assert.DoesNotContain("\n", e.Message);
        }
        var t = Assert.Throws<WaveFlowException>(() => WavFile.Read(PathOf("trunc.wav")));
        Assert.Contains("4000", t.Message);
        Assert.Contains("120", t.Message);
    }
}
