using WaveFlow.Core;
using WaveFlow.Core.IO;

namespace WaveFlow.Training.Data;

/// <summary>
/// A list of clips read from either layout NVIDIA's and Tacotron2's users have:
/// <list type="bullet">
/// <item>LJSpeech: <c>DIR/metadata.csv</c> (<c>id|transcription|normalized transcription</c>, UTF-8,
/// no header) with the audio in <c>DIR/wavs/&lt;id&gt;.wav</c>;</item>
/// <item>a filelist (NVIDIA's train_files.txt): one wav path per line; a Tacotron2 line
/// <c>path|text</c> is accepted too (the text is ignored). Relative paths are resolved against
/// the list's folder; blank lines and lines starting with # are skipped.</item>
/// </list>
/// Every problem names the file and line. Wav files are checked to exist here; their format is
/// checked by <see cref="WavProbe"/>.
/// </summary>
internal sealed record Corpus(string Source, IReadOnlyList<CorpusClip> Clips)
{
    public const string MetadataFile = "metadata.csv";

    /// <summary>Opens a directory in LJSpeech layout or a filelist file.</summary>
    public static Corpus Open(string path)
    {
        if (Directory.Exists(path))
        {
            var metadata = Path.Combine(path, MetadataFile);
            if (!File.Exists(metadata))
                throw WaveFlowException.ForFile(path, $"not an LJSpeech-layout corpus: no {MetadataFile} (expected {MetadataFile} and wavs/<id>.wav; or pass a filelist with one wav path per line)");
            return ReadLJSpeech(metadata);
        }
        if (File.Exists(path))
            return Path.GetFileName(path).Equals(MetadataFile, StringComparison.OrdinalIgnoreCase)
                ? ReadLJSpeech(path)
                : ReadFilelist(path);
        throw WaveFlowException.ForFile(path, "not found (expected an LJSpeech-layout folder or a filelist)");
    }

    /// <summary>Reads LJSpeech's metadata.csv; the wavs are in wavs/ beside it.</summary>
    public static Corpus ReadLJSpeech(string metadataPath)
    {
        var wavs = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(metadataPath))!, "wavs");
        var clips = new List<CorpusClip>();
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        int lineNumber = 0;
        foreach (var raw in File.ReadLines(metadataPath))
        {
            lineNumber++;
            var line = raw.TrimEnd('\r');
            if (lineNumber == 1 && line.Length > 0 && line[0] == '\uFEFF') line = line[1..];
            if (line.Trim().Length == 0) continue;
            var fields = line.Split('|');
            string where = $"{metadataPath}:{lineNumber}";
            if (fields.Length is < 2 or > 3)
                throw new WaveFlowException($"{where}: malformed line, expected 'id|transcription|normalized transcription' (2 or 3 fields separated by '|'), got {fields.Length} field(s): \"{Shorten(line)}\"");
            var id = fields[0].Trim();
            if (id.Length == 0 || id.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0 || id is "." or "..")
                throw new WaveFlowException($"{where}: malformed line, the id \"{Shorten(fields[0])}\" is not a valid file name");
            if (seen.TryGetValue(id, out var first))
                throw new WaveFlowException($"{where}: id {id} is listed twice (first on line {first})");
            seen[id] = lineNumber;
            var wav = Path.Combine(wavs, id + ".wav");
            if (!File.Exists(wav))
                throw WaveFlowException.ForFile(wav, $"not found (listed on {where})");
            clips.Add(new CorpusClip(id, wav));
        }
        if (clips.Count == 0) throw WaveFlowException.ForFile(metadataPath, "lists no clips");
        return new Corpus(metadataPath, clips);
    }

    /// <summary>Reads an NVIDIA/Tacotron2 filelist.</summary>
    public static Corpus ReadFilelist(string listPath)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(listPath))!;
        var clips = new List<CorpusClip>();
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        int lineNumber = 0;
        foreach (var raw in File.ReadLines(listPath))
        {
            lineNumber++;
            var line = raw.TrimEnd('\r');
            if (lineNumber == 1 && line.Length > 0 && line[0] == '\uFEFF') line = line[1..];
            var entry = line.Split('|')[0].Trim();
            if (entry.Length == 0 || entry.StartsWith('#')) continue;
            string where = $"{listPath}:{lineNumber}";
            if (!entry.EndsWith(".wav", StringComparison.OrdinalIgnoreCase))
                throw new WaveFlowException($"{where}: malformed line, expected a .wav path (optionally followed by |text), got \"{Shorten(line)}\"");
            var wav = Path.GetFullPath(Path.IsPathRooted(entry) ? entry : Path.Combine(folder, entry));
            if (seen.TryGetValue(wav, out var first))
                throw new WaveFlowException($"{where}: {entry} is listed twice (first on line {first})");
            seen[wav] = lineNumber;
            if (!File.Exists(wav))
                throw WaveFlowException.ForFile(wav, $"not found (listed on {where})");
            clips.Add(new CorpusClip(Path.GetFileNameWithoutExtension(wav), wav));
        }
        if (clips.Count == 0) throw WaveFlowException.ForFile(listPath, "lists no wav files");
        return new Corpus(listPath, clips);
    }

    /// <summary>Writes clips as a filelist (absolute wav paths), NVIDIA's train_files.txt format.</summary>
    public static void WriteFilelist(string path, IEnumerable<CorpusClip> clips) =>
        AtomicFile.WriteAllBytes(path, System.Text.Encoding.UTF8.GetBytes(
            string.Concat(clips.Select(c => Path.GetFullPath(c.WavPath) + "\n"))));

    private static string Shorten(string s) => s.Length > 60 ? s[..60] + "…" : s;
}
