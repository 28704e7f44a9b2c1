using System.IO.Compression;
using System.Numerics;

namespace WaveFlow.Core.Serialization.PyTorch;

/// <summary>
/// Reads files written by <c>torch.save</c> without Python and without executing anything.
/// Two layouts exist:
/// <list type="bullet">
/// <item>the zip format (PyTorch ≥ 1.6): <c>&lt;name&gt;/data.pkl</c> holds the object pickle,
/// <c>&lt;name&gt;/data/&lt;key&gt;</c> the raw bytes of each storage, <c>&lt;name&gt;/byteorder</c> their byte order;</item>
/// <item>the legacy format (older PyTorch, and NVIDIA's published WaveGlow checkpoints): a magic-number pickle,
/// a protocol-version pickle, a system-info pickle, the object pickle, a pickle of the storage keys, then each
/// storage as an 8-byte element count followed by its data.</item>
/// </list>
/// The object pickle is run by <see cref="RestrictedUnpickler"/> against <see cref="PickleAllowList"/>;
/// tensors come back as float32 <see cref="FloatArray"/>s (float16/bfloat16/float64/integer storages converted),
/// honouring each tensor's storage offset, sizes and strides.
/// </summary>
internal static class PyTorchFile
{
    /// <summary>The unpickled root object and which layout the file used.</summary>
    public sealed record Contents(object? Root, bool Legacy)
    {
        /// <summary>
        /// Legacy files only: the Python source of each pickled module class ("glow.WaveGlow" → class text), which
        /// old PyTorch stored next to the class reference so that loaders could notice changed code. Never executed;
        /// read as text to tell apart model variants that share a class name.
        /// </summary>
        public IReadOnlyDictionary<string, string> ClassSources { get; init; } = new Dictionary<string, string>();
    }

    // The first pickle of a legacy file is this number (torch.serialization.MAGIC_NUMBER).
    private static readonly BigInteger LegacyMagic = BigInteger.Parse("119547037146038801333356");
    private const long LegacyProtocolVersion = 1001;

    public static Contents Read(string path)
    {
        if (!File.Exists(path)) throw WaveFlowException.ForFile(path, "file not found");
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        return Read(stream, path);
    }

    /// <summary>Reads from a seekable stream holding a whole file; errors name <paramref name="path"/>.</summary>
    public static Contents Read(Stream stream, string path)
    {
        if (stream.Length == 0) throw WaveFlowException.ForFile(path, "empty file");
        Span<byte> head = stackalloc byte[2];
        int got = stream.ReadAtLeast(head, 2, throwOnEndOfStream: false);
        stream.Position = 0;
        if (got == 2 && head[0] == (byte)'P' && head[1] == (byte)'K') return new Contents(ReadZip(stream, path), false);
        if (got == 2 && head[0] == 0x80)
        {
            var sources = new Dictionary<string, string>(StringComparer.Ordinal);
            return new Contents(ReadLegacy(stream, path, sources), true) { ClassSources = sources };
        }
        throw WaveFlowException.ForFile(path, "not a torch.save file (neither a zip archive nor a legacy torch pickle)");
    }

    /// <summary>Reads a file that holds a single tensor (e.g. <c>torch.save(mel, "mel.pt")</c>).</summary>
    public static FloatArray ReadTensor(string path) => AsTensor(Read(path).Root, path);

    /// <summary>As <see cref="ReadTensor(string)"/>, from a seekable stream holding the whole file.</summary>
    public static FloatArray ReadTensor(Stream stream, string path) => AsTensor(Read(stream, path).Root, path);

    private static FloatArray AsTensor(object? root, string path) => root switch
    {
        FloatArray t => t,
        var other => throw WaveFlowException.ForFile(path, $"holds a {PickleAllowList.Describe(other)}, not a tensor"),
    };

    private static object? ReadZip(Stream stream, string path)
    {
        try
        {
            using var zip = new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: true);
            // All records share one top-level folder whose name is the saved file's stem.
            var pickle = zip.Entries.FirstOrDefault(e => e.FullName.EndsWith("/data.pkl", StringComparison.Ordinal) && e.FullName.Count(c => c == '/') == 1)
                ?? throw WaveFlowException.ForFile(path, "zip archive without a <name>/data.pkl record: not a torch.save file");
            string prefix = pickle.FullName[..^"data.pkl".Length];
            bool bigEndian = false;
            if (zip.GetEntry(prefix + "byteorder") is { } order)
            {
                string text = System.Text.Encoding.ASCII.GetString(ReadEntry(order, path)).Trim();
                bigEndian = text switch { "little" => false, "big" => true, _ => throw WaveFlowException.ForFile(path, $"unknown byteorder '{text}'") };
            }
            var storages = new Dictionary<string, TorchStorage>(StringComparer.Ordinal);
            object? LoadPersistent(object? pid)
            {
                // ('storage', torch.XxxStorage, key, location, numel)
                var (dtype, key, numel) = StorageId(pid, path);
                if (storages.TryGetValue(key, out var known)) return known;
                var entry = zip.GetEntry($"{prefix}data/{key}") ?? throw WaveFlowException.ForFile(path, $"storage {key} is missing from the archive");
                var storage = new TorchStorage(key, dtype, numel) { Bytes = ReadEntry(entry, path) };
                // Compared by division: numel comes from the pickle and may be anything.
                if (storage.Bytes.LongLength / storage.ElementSize < numel)
                    throw WaveFlowException.ForFile(path, $"truncated: storage {key} holds {storage.Bytes.LongLength} bytes, its tensor claims {numel} elements of {storage.ElementSize} bytes");
                return storages[key] = storage;
            }
            using var pickleStream = new MemoryStream(ReadEntry(pickle, path));
            var root = new RestrictedUnpickler(pickleStream, path, LoadPersistent).Load();
            return Materialize(root, path, bigEndian);
        }
        catch (InvalidDataException e) { throw WaveFlowException.ForFile(path, $"truncated or corrupt zip archive ({FirstLine(e.Message)})"); }
        catch (EndOfStreamException) { throw WaveFlowException.ForFile(path, "truncated zip archive"); }
    }

    /// <summary>
    /// A record's bytes. The declared size comes from the archive's directory and may be a lie, so
    /// the buffer grows with what is actually read (never more than the data present) and a
    /// record shorter than declared is refused as truncated.
    /// </summary>
    private static byte[] ReadEntry(ZipArchiveEntry entry, string path)
    {
        if (entry.Length < 0 || entry.Length > Array.MaxLength) throw WaveFlowException.ForFile(path, $"record {entry.FullName} declares {entry.Length} bytes (at most 2 GB are supported)");
        using var s = entry.Open();
        using var buffer = new MemoryStream();
        var chunk = new byte[1 << 16];
        while (buffer.Length < entry.Length)
        {
            int n = s.Read(chunk, 0, (int)Math.Min(chunk.Length, entry.Length - buffer.Length));
            if (n == 0) throw WaveFlowException.ForFile(path, $"truncated: record {entry.FullName} holds {buffer.Length} of its {entry.Length} bytes");
            buffer.Write(chunk, 0, n);
        }
        return buffer.ToArray();
    }

    private static object? ReadLegacy(Stream stream, string path, Dictionary<string, string> classSources)
    {
        var buffered = new BufferedStream(stream, 1 << 16);
        object? NoPersistent(object? pid) => throw WaveFlowException.ForFile(path, "malformed legacy header: unexpected persistent id");
        var magic = new RestrictedUnpickler(buffered, path, NoPersistent).Load();
        bool isMagic = magic switch { BigInteger b => b == LegacyMagic, _ => false };
        if (!isMagic) throw WaveFlowException.ForFile(path, "a pickle, but not a torch.save file (no torch magic number)");
        if (new RestrictedUnpickler(buffered, path, NoPersistent).Load() is not long version || version != LegacyProtocolVersion)
            throw WaveFlowException.ForFile(path, "unsupported legacy torch.save protocol version");
        bool bigEndian = new RestrictedUnpickler(buffered, path, NoPersistent).Load() is PickleDict info
            && info.TryGet("little_endian", out var little) && little is false;

        // Storages are created empty while the object pickle runs; their bytes follow it.
        var roots = new Dictionary<string, TorchStorage>(StringComparer.Ordinal);
        object? LoadPersistent(object? pid)
        {
            if (pid is object?[] { Length: > 1 } t && t[0] is "module")
            {
                // ('module', class, source_file, source): old torch pickled module classes this way; the class was
                // already checked against the allow-list when its GLOBAL opcode ran. The source text is ignored.
                var cls = t[1] as PickleClass ?? throw WaveFlowException.ForFile(path, "malformed persistent module id");
                if (t.Length > 3 && t[3] is string source) classSources[cls.FullName] = source;
                return cls;
            }
            // ('storage', torch.XxxStorage, root_key, location, numel, view_metadata)
            var (dtype, key, numel) = StorageId(pid, path);
            if (!roots.TryGetValue(key, out var root)) roots[key] = root = new TorchStorage(key, dtype, numel);
            if (pid is object?[] { Length: > 5 } p && p[5] is object?[] { Length: 3 } view && view[1] is long offset && view[2] is long size)
            {
                if (offset < 0 || size < 0)
                    throw WaveFlowException.ForFile(path, $"malformed pickle: storage view of {key} at offset {offset} with {size} elements");
                return new TorchStorage(view[0]?.ToString() ?? key, dtype, size) { Root = root, RootOffset = offset };
            }
            return root;
        }
        var result = new RestrictedUnpickler(buffered, path, LoadPersistent).Load();
        if (new RestrictedUnpickler(buffered, path, NoPersistent).Load() is not List<object?> keys)
            throw WaveFlowException.ForFile(path, "malformed legacy file: the storage key list is missing");
        var header = new byte[8];
        foreach (var keyObject in keys)
        {
            string key = keyObject?.ToString() ?? "";
            if (!roots.TryGetValue(key, out var storage)) throw WaveFlowException.ForFile(path, $"legacy storage {key} is not used by any tensor");
            if (buffered.ReadAtLeast(header, 8, throwOnEndOfStream: false) < 8)
                throw WaveFlowException.ForFile(path, $"truncated: storage {key} is missing");
            long count = bigEndian ? System.Buffers.Binary.BinaryPrimitives.ReadInt64BigEndian(header) : BitConverter.ToInt64(header);
            // The range check comes before any arithmetic: count is read from the file and may be anything.
            long remaining = buffered.Length - buffered.Position;
            if (count < 0 || count < storage.Numel || count > Math.Min(remaining, Array.MaxLength) / storage.ElementSize)
                throw WaveFlowException.ForFile(path, $"truncated or corrupt: storage {key} claims {count} elements, {remaining} bytes remain in the file");
            long bytes = count * storage.ElementSize;
            storage.Bytes = new byte[bytes];
            if (buffered.ReadAtLeast(storage.Bytes, (int)bytes, throwOnEndOfStream: false) < bytes)
                throw WaveFlowException.ForFile(path, $"truncated: storage {key} should hold {bytes} bytes");
        }
        foreach (var (key, storage) in roots)
            if (storage.Bytes is null) throw WaveFlowException.ForFile(path, $"legacy storage {key} is referenced but not stored");
        return Materialize(result, path, bigEndian);
    }

    private static (TorchDType DType, string Key, long Numel) StorageId(object? pid, string path)
    {
        if (pid is object?[] { Length: >= 5 } t && t[0] is "storage" && t[1] is PickleClass type && t[4] is long numel
            && TorchStorage.FromStorageClass(type.Name) is { } dtype && t[2] is not null && numel >= 0)
            return (dtype, t[2]!.ToString()!, numel);
        throw WaveFlowException.ForFile(path, "malformed pickle: unexpected persistent id (expected a torch storage)");
    }

    /// <summary>Replaces every rebuilt tensor in the object graph by its dense float32 data.</summary>
    private static object? Materialize(object? root, string path, bool bigEndian)
    {
        var done = new Dictionary<TorchTensor, FloatArray>(ReferenceEqualityComparer.Instance);
        var visited = new HashSet<object>(ReferenceEqualityComparer.Instance);
        object? Convert(object? o) => o is TorchTensor t
            ? (done.TryGetValue(t, out var a) ? a : done[t] = t.ToFloatArray(path, bigEndian))
            : o;
        // An explicit work list: module trees can be deep, and shared objects are visited once.
        var work = new Stack<object>();
        if (root is not null && root is not TorchTensor) work.Push(root);
        while (work.Count > 0)
        {
            var o = work.Pop();
            if (!visited.Add(o)) continue;
            void Visit(object? child) { if (child is not null and not TorchTensor and not string) work.Push(child); }
            switch (o)
            {
                case PickleDict d:
                    int i = 0;
                    foreach (var (_, v) in d.ToList()) { d.ReplaceAt(i++, Convert(v)); Visit(v); }
                    Visit(d.State);
                    break;
                case List<object?> list:
                    for (int j = 0; j < list.Count; j++) { Visit(list[j]); list[j] = Convert(list[j]); }
                    break;
                case object?[] tuple:
                    for (int j = 0; j < tuple.Length; j++) { Visit(tuple[j]); tuple[j] = Convert(tuple[j]); }
                    break;
                case PickleObject p:
                    for (int j = 0; j < p.Args.Length; j++) { Visit(p.Args[j]); p.Args[j] = Convert(p.Args[j]); }
                    Visit(p.State);
                    p.State = Convert(p.State);
                    break;
                case PickleSet s:
                    for (int j = 0; j < s.Items.Count; j++) { Visit(s.Items[j]); s.Items[j] = Convert(s.Items[j]); }
                    break;
            }
        }
        return Convert(root);
    }

    private static string FirstLine(string s) => s.Split('\n')[0].Trim();
}
