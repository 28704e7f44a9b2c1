using System.Text.Json;
using System.Text.Json.Serialization;

namespace WaveFlow.Core.Json;

/// <summary>
/// The one reader of the JSON files WaveFlow reads: every config section (train_config,
/// data_config, dist_config, waveglow_config), our checkpoints' metadata, trainer state, study and
/// eval files. Records declare their keys with [JsonPropertyName]; System.Text.Json reads them with
/// options that refuse what it would otherwise accept silently: a key no record declares (a typo
/// such as "learing_rate" would train with the default), a key given twice (which one counts?),
/// a value of the wrong type (no "12" for 12, no 8.0 for an integer), null where the record does
/// not allow it, and a constructor parameter without default that is absent. Keys left out keep the
/// record's defaults. Every error is one line naming the file and the full key, e.g.
/// <c>config.json: data_config.hop_length must be an integer, got "256"</c> (see <see cref="JsonErrors"/>).
/// </summary>
internal static class StrictJson
{
    /// <summary>The options of every read; writing with them gives indented JSON.</summary>
    internal static readonly JsonSerializerOptions Options = new()
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        AllowDuplicateProperties = false,
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
        NumberHandling = JsonNumberHandling.Strict,
        AllowTrailingCommas = false,
        ReadCommentHandling = JsonCommentHandling.Skip,
        WriteIndented = true,
    };

    /// <summary>The syntax pass: comments allowed (NVIDIA's configs have none, people add them),
    /// duplicates left to the serializer so that its error can name the key.</summary>
    private static readonly JsonDocumentOptions SyntaxOptions = new()
    {
        CommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = false,
    };

    /// <summary>Reads the file at <paramref name="path"/>; errors start with the path.</summary>
    public static T Load<T>(string path) where T : class
    {
        if (!File.Exists(path)) throw WaveFlowException.ForFile(path, "file not found");
        return Parse<T>(File.ReadAllBytes(path), path);
    }

    /// <summary>Reads <paramref name="json"/> as a <typeparamref name="T"/>. Errors start with
    /// <paramref name="source"/>; keys are named from <paramref name="at"/> (e.g. "waveglow_config"
    /// for a section stored on its own, as in a checkpoint's metadata).</summary>
    public static T Parse<T>(string json, string source, string? at = null) where T : class =>
        Parse<T>(System.Text.Encoding.UTF8.GetBytes(json), source, at);

    /// <inheritdoc cref="Parse{T}(string, string, string?)"/>
    public static T Parse<T>(byte[] utf8, string source, string? at = null) where T : class
    {
        var text = Text(utf8) ?? throw new WaveFlowException($"{source}: {Prefix(at)}not UTF-8 text");
        using var document = Syntax(text, source, at);
        try
        {
            return JsonSerializer.Deserialize<T>(text.Span, Options) ?? throw NullRoot(source, at);
        }
        catch (JsonException e)
        {
            throw JsonErrors.Explain(e, document.RootElement, typeof(T), source, at);
        }
        catch (InvalidOperationException e)
        {
            // Strings are decoded only when read: an escaped lone surrogate ("\ud800") ends up here.
            throw new WaveFlowException($"{source}: {Prefix(at)}{JsonErrors.FirstSentence(e.Message)}", 2, e);
        }
    }

    /// <summary>Reads one JSON value already parsed (e.g. a section's keys gathered by
    /// [JsonExtensionData]); <paramref name="alsoKnown"/> are keys of the same JSON object that
    /// another record reads, listed when a key is unknown.</summary>
    public static T Read<T>(JsonElement element, string source, string? at = null, IEnumerable<string>? alsoKnown = null) where T : class
    {
        try
        {
            return element.Deserialize<T>(Options) ?? throw NullRoot(source, at);
        }
        catch (JsonException e)
        {
            throw JsonErrors.Explain(e, element, typeof(T), source, at, alsoKnown);
        }
        catch (InvalidOperationException e)
        {
            throw new WaveFlowException($"{source}: {Prefix(at)}{JsonErrors.FirstSentence(e.Message)}", 2, e);
        }
    }

    /// <summary>A JSON object of the given keys and values (those of a [JsonExtensionData] bag).</summary>
    public static JsonElement Object(IEnumerable<KeyValuePair<string, JsonElement>> properties)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartObject();
            foreach (var (key, value) in properties)
            {
                writer.WritePropertyName(key);
                value.WriteTo(writer);
            }
            writer.WriteEndObject();
        }
        using var document = JsonDocument.Parse(stream.ToArray());
        return document.RootElement.Clone();
    }

    /// <summary>True when <paramref name="utf8"/> is a JSON object with one of <paramref name="keys"/>
    /// at its top (tells a sectioned config from a single section stored alone). Malformed input
    /// answers false; the reader that follows names the problem.</summary>
    public static bool HasAnyKey(byte[] utf8, IEnumerable<string> keys)
    {
        if (Text(utf8) is not { } text) return false;
        try
        {
            using var document = JsonDocument.Parse(text, SyntaxOptions);
            var root = document.RootElement;
            return root.ValueKind == JsonValueKind.Object && keys.Any(k => root.TryGetProperty(k, out _));
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>The JSON text without a UTF-8 byte order mark (Windows editors write one); null when
    /// the bytes are not UTF-8, which the reader would otherwise find only when a string is decoded
    /// (as an InvalidOperationException, far from the file).</summary>
    private static ReadOnlyMemory<byte>? Text(byte[] utf8)
    {
        var text = utf8.AsMemory();
        if (text.Span.StartsWith("\uFEFF"u8)) text = text[3..];
        // (Spelled out: "? text : null" would turn null into an empty ReadOnlyMemory through byte[].)
        if (!System.Text.Unicode.Utf8.IsValid(text.Span)) return null;
        return text;
    }

    private static JsonDocument Syntax(ReadOnlyMemory<byte> utf8, string source, string? at)
    {
        try
        {
            return JsonDocument.Parse(utf8, SyntaxOptions);
        }
        catch (JsonException e)
        {
            throw new WaveFlowException($"{source}: {Prefix(at)}malformed JSON (line {e.LineNumber + 1}: {JsonErrors.FirstSentence(e.Message)})", 2, e);
        }
    }

    /// <summary>"section: " before a problem of a whole section stored alone.</summary>
    private static string Prefix(string? at) => string.IsNullOrEmpty(at) ? "" : at + ": ";

    private static WaveFlowException NullRoot(string source, string? at) =>
        new($"{source}: {(string.IsNullOrEmpty(at) ? "" : at + " ")}must be a JSON object, got null");
}
