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
        using var document = Syntax(utf8, source, at);
        try
        {
            // From the bytes, not the document, so that line numbers are the file's.
            return JsonSerializer.Deserialize<T>(utf8, Options) ?? throw NullRoot(source, at);
        }
        catch (JsonException e)
        {
            throw JsonErrors.Explain(e, document.RootElement, typeof(T), source, at);
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
        try
        {
            using var document = JsonDocument.Parse(utf8, SyntaxOptions);
            var root = document.RootElement;
            return root.ValueKind == JsonValueKind.Object && keys.Any(k => root.TryGetProperty(k, out _));
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static JsonDocument Syntax(byte[] utf8, string source, string? at)
    {
        try
        {
            return JsonDocument.Parse(utf8, SyntaxOptions);
        }
        catch (JsonException e)
        {
            throw new WaveFlowException($"{source}: {(string.IsNullOrEmpty(at) ? "" : at + ": ")}malformed JSON (line {e.LineNumber + 1}: {JsonErrors.FirstSentence(e.Message)})", 2, e);
        }
    }

    private static WaveFlowException NullRoot(string source, string? at) =>
        new($"{source}: {(string.IsNullOrEmpty(at) ? "" : at + " ")}must be a JSON object, got null");
}
