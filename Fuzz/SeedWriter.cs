using System.Text;
using WaveFlow.Audio;
using WaveFlow.Audio.Wav;
using WaveFlow.Core;
using WaveFlow.Core.Serialization;
using WaveFlow.Core.Serialization.PyTorch;
using WaveFlow.Evaluation.Listening;
using WaveFlow.Training.Run;
using WaveFlow.Vocoder;
using WaveFlow.Vocoder.Checkpoints;

namespace WaveFlow.Fuzz;

/// <summary>
/// Writes the starting corpus of every target (<c>Fuzz/seeds/TARGET/</c>): small valid files of
/// each layout the loader accepts, made with the project's own writers (or, for the legacy torch
/// layout, which nothing here writes, assembled opcode by opcode). Small on purpose: AFL mutates
/// faster the shorter its inputs, and the CI fuzz tests run thousands of mutants of each.
/// </summary>
internal static class SeedWriter
{
    public static void WriteAll(string root, string repository)
    {
        string Dir(string target) => Directory.CreateDirectory(Path.Combine(root, target)).FullName;
        var mel = Mel(16, 6);

        // WAV: 22,050 Hz PCM16 mono (read as is), 16 kHz stereo float (downmixed and resampled), 24-bit.
        var tone = Enumerable.Range(0, 441).Select(i => (float)(0.5 * Math.Sin(2 * Math.PI * 440 * i / 22050.0))).ToArray();
        File.WriteAllBytes(Path.Combine(Dir("wav"), "mono16.wav"), WavFile.Encode(tone, 22050));
        File.WriteAllBytes(Path.Combine(Dir("wav"), "stereo-float-16k.wav"), Stereo(tone[..320], 16000));
        File.WriteAllBytes(Path.Combine(Dir("wav"), "pcm24.wav"), Pcm24(tone[..200], 22050));

        // npy: float32 C order (what `waveflow mel` writes), float16, float64 big-endian Fortran order, [1, n_mel, T].
        NpyFile.Write(Path.Combine(Dir("npy"), "mel-f4.npy"), mel.Data, mel.Shape);
        NpyFile.Write(Path.Combine(Dir("npy"), "mel-f2.npy"), mel.Data, mel.Shape, half: true);
        File.WriteAllBytes(Path.Combine(Dir("npy"), "mel-f8-fortran.npy"), NpyBigEndianFortran(mel));
        NpyFile.Write(Path.Combine(Dir("npy"), "mel-batch.npy"), mel.Data, [1, .. mel.Shape]);

        // torch.save zip layout: a mel (float32 and float16) and a small state dict.
        TorchZipWriter.WriteTensor(Path.Combine(Dir("pt-zip"), "mel.pt"), mel);
        TorchZipWriter.WriteTensor(Path.Combine(Dir("pt-zip"), "mel-half.pt"), mel, half: true);
        TorchZipWriter.WriteStateDict(Path.Combine(Dir("pt-zip"), "state.pt"),
            [new("a.weight", Mel(4, 3)), new("b.bias", new FloatArray([1, 2, 3], [3]))]);

        // torch.save legacy layout: a mel whose storage is the whole root, and a view into a root.
        File.WriteAllBytes(Path.Combine(Dir("pt-legacy"), "mel-legacy.pt"), LegacyTensor(mel, view: false));
        File.WriteAllBytes(Path.Combine(Dir("pt-legacy"), "view-legacy.pt"), LegacyTensor(Mel(3, 4), view: true));

        // safetensors: float32 with metadata, float16 without.
        var tensors = new Dictionary<string, FloatArray> { ["mel"] = mel, ["bias"] = new([0.5f, -1, 2], [3]), ["scalar"] = new([7], []) };
        Safetensors.Write(Path.Combine(Dir("safetensors"), "f32-meta.safetensors"), tensors, new Dictionary<string, string> { ["format"] = "pt", ["note"] = "seed" });
        Safetensors.Write(Path.Combine(Dir("safetensors"), "f16.safetensors"), tensors, half: true);

        // Checkpoints: our format and a state-dict .pt of the same tiny model (its config then inferred).
        // (Inference needs NVIDIA's filter_length 1024, so the state dict's model has 2 mels to stay small.)
        var (options, melOptions) = FuzzTargets.TinyModel();
        using (var model = new WaveGlow(options, melOptions))
        {
            WaveFlowCheckpoint.Save(Path.Combine(Dir("checkpoint"), "tiny.safetensors"), model, options, melOptions, step: 3);
            // A trainer state after two Adam steps (step counts and moments are non-zero).
            var adam = TorchSharp.torch.optim.Adam(model.parameters(), 1e-3);
            for (int i = 0; i < 2; i++)
            {
                adam.zero_grad();
                foreach (var p in model.parameters()) p.square().sum().backward();
                adam.step();
            }
            new TrainerState { Iteration = 2, Seed = 1234, BatchesPerEpoch = 2, OptimizerSteps = 2, LearningRate = 1e-3 }
                .Save(Path.Combine(Dir("trainer-state"), "tiny.state"), w => adam.save_state_dict(w));
        }
        var nvidiaLike = options with { NMelChannels = 2 };
        using (var model = new WaveGlow(nvidiaLike, new MelOptions { NMelChannels = 2 }))
            TorchZipWriter.WriteStateDict(Path.Combine(Dir("checkpoint"), "tiny-state-dict.pt"), StateDict.Export(model).OrderBy(p => p.Key, StringComparer.Ordinal).ToList());

        // JSON: the shipped configs, a listening-results export, the shipped eval baseline.
        foreach (var name in new[] { "waveflow-tiny.json", "waveglow-ljspeech.json" })
            File.Copy(Path.Combine(repository, "configs", name), Path.Combine(Dir("config"), name), overwrite: true);
        File.Copy(Path.Combine(repository, "Tests", "Fixtures", "micro", "config.json"), Path.Combine(Dir("model-config"), "nvidia-config.json"), overwrite: true);
        File.Copy(Path.Combine(repository, "configs", "waveflow-small.json"), Path.Combine(Dir("model-config"), "waveflow-small.json"), overwrite: true);
        File.WriteAllText(Path.Combine(Dir("listening"), "results.json"), new ListeningResults(ListeningResults.FormatName, 1, "r1", "ann", "2026-01-01T00:00:00Z", 3,
            [new("p1", "c1", "A", "B", "left", "clear"), new("p2", "c2", "B", "A", "none"), new("p3", "c1", "A", "GL", "right", null, 2, 1)]).ToJson());
        File.Copy(Path.Combine(repository, "Tests", "Fixtures", "shipped", "eval-baseline.json"), Path.Combine(Dir("baseline"), "eval-baseline.json"), overwrite: true);
    }

    private static FloatArray Mel(int nMel, int frames) =>
        new(Enumerable.Range(0, nMel * frames).Select(i => (float)Math.Log(1e-3 + (i % 7) * 0.25)).ToArray(), [nMel, frames]);

    private static byte[] Stereo(float[] mono, int rate)
    {
        var payload = mono.SelectMany(s => BitConverter.GetBytes(s).Concat(BitConverter.GetBytes(-s))).ToArray();
        return Riff(format: 3, channels: 2, rate, bits: 32, payload);
    }

    private static byte[] Pcm24(float[] mono, int rate)
    {
        var payload = mono.SelectMany(s => BitConverter.GetBytes((int)(s * 8388607))[..3]).ToArray();
        return Riff(format: 1, channels: 1, rate, bits: 24, payload);
    }

    private static byte[] Riff(int format, int channels, int rate, int bits, byte[] payload)
    {
        using var ms = new MemoryStream();
        using var w = new BinaryWriter(ms);
        int blockAlign = channels * bits / 8;
        w.Write("RIFF"u8); w.Write(36 + payload.Length); w.Write("WAVE"u8);
        w.Write("fmt "u8); w.Write(16); w.Write((short)format); w.Write((short)channels); w.Write(rate);
        w.Write(rate * blockAlign); w.Write((short)blockAlign); w.Write((short)bits);
        w.Write("data"u8); w.Write(payload.Length); w.Write(payload);
        w.Flush();
        return ms.ToArray();
    }

    private static byte[] NpyBigEndianFortran(FloatArray mel)
    {
        long rows = mel.Shape[0], cols = mel.Shape[1];
        string header = $"{{'descr': '>f8', 'fortran_order': True, 'shape': ({rows}, {cols}), }}";
        header = header.PadRight(118) + "\n";
        var bytes = new List<byte>([0x93, .. "NUMPY"u8, 1, 0]);
        bytes.AddRange(BitConverter.GetBytes((ushort)header.Length));
        bytes.AddRange(Encoding.Latin1.GetBytes(header));
        for (long c = 0; c < cols; c++)
            for (long r = 0; r < rows; r++)
                bytes.AddRange(BitConverter.GetBytes((double)mel.Data[r * cols + c]).Reverse());
        return [.. bytes];
    }

    /// <summary>
    /// The legacy torch.save layout: magic-number pickle, protocol 1001, system info, the tensor's
    /// pickle, the storage-key list, then the storage (element count, then its float32 values).
    /// With <paramref name="view"/>, the tensor reads a view that starts 2 elements into the root.
    /// </summary>
    private static byte[] LegacyTensor(FloatArray t, bool view)
    {
        static byte[] Str(string s) { var b = Encoding.UTF8.GetBytes(s); return [(byte)'X', .. BitConverter.GetBytes(b.Length), .. b]; }
        static byte[] Int(long v) => [(byte)'J', .. BitConverter.GetBytes((int)v)];
        static byte[] Global(string module, string name) => Encoding.ASCII.GetBytes($"c{module}\n{name}\n");
        static byte[] Pickle(params byte[][] body) => [0x80, 2, .. body.SelectMany(b => b), (byte)'.'];
        long n = t.Data.Length, rootCount = view ? n + 2 : n;
        byte[] magic = [0x80, 2, 0x8a, 10, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19, (byte)'.'];
        byte[] protocol = [0x80, 2, (byte)'M', 0xe9, 0x03, (byte)'.'];
        byte[] info = Pickle([(byte)'}', (byte)'('], Str("protocol_version"), Int(1001), Str("little_endian"), [0x88], Str("type_sizes"), [(byte)'}', (byte)'u']);
        byte[] viewTuple = view ? [(byte)'(', .. Str("v"), .. Int(2), .. Int(n), (byte)'t'] : [(byte)'N'];
        long[] strides = [t.Shape[1], 1];
        byte[] tensor = Pickle(
            Global("torch._utils", "_rebuild_tensor_v2"), [(byte)'(', (byte)'('],
            Str("storage"), Global("torch", "FloatStorage"), Str("r"), Str("cpu"), Int(rootCount), viewTuple, [(byte)'t', (byte)'Q'],
            Int(0), [(byte)'(', .. Int(t.Shape[0]), .. Int(t.Shape[1]), (byte)'t'], [(byte)'(', .. Int(strides[0]), .. Int(strides[1]), (byte)'t'], [0x89],
            Global("collections", "OrderedDict"), [(byte)')', (byte)'R', (byte)'t', (byte)'R']);
        byte[] keys = Pickle([(byte)']'], Str("r"), [(byte)'a']);
        var values = (view ? new float[] { -9, -9 }.Concat(t.Data) : t.Data).SelectMany(BitConverter.GetBytes);
        byte[] storage = [.. BitConverter.GetBytes(rootCount), .. values];
        return [.. magic, .. protocol, .. info, .. tensor, .. keys, .. storage];
    }
}
