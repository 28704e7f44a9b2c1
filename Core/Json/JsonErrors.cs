using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace WaveFlow.Core.Json;

/// <summary>
/// Turns a <see cref="JsonException"/> of <see cref="StrictJson"/> into one line naming the file and
/// the key. The exception's <see cref="JsonException.Path"/> (e.g. <c>$.data_config.mel_fmax</c>)
/// says where; what went wrong is read from the record's JSON contract and the document at that
/// path, not from the exception's English text: a key the contract lacks is unknown, a key the
/// object holds twice is a duplicate, a required key absent is missing, anything else is a value of
/// the wrong type (quoted, so the user sees what the file says).
/// </summary>
internal static class JsonErrors
{
    private const int QuoteLength = 40;

    public static WaveFlowException Explain(JsonException e, JsonElement root, Type rootType, string source, string? at,
        IEnumerable<string>? alsoKnown = null)
    {
        try
        {
            return Analyse(e, root, rootType, source, at, alsoKnown);
        }
        catch (InvalidOperationException)
        {
            // A key or string of the document is no valid text (an escaped lone surrogate such as
            // "\ud800"): it cannot be compared, so say what the serializer said, at its path.
            string key = Key(at, Segments(e.Path));
            return Fail(e, $"{source}: {(key.Length == 0 ? "" : key + ": ")}{FirstSentence(e.Message)}");
        }
    }

    private static WaveFlowException Analyse(JsonException e, JsonElement root, Type rootType, string source, string? at,
        IEnumerable<string>? alsoKnown)
    {
        var segments = Segments(e.Path);
        string key = Key(at, segments);
        string subject = key.Length == 0 ? "" : key + " ";

        // Walk the document and the contract side by side down the path.
        JsonElement? element = root, parent = null;
        JsonTypeInfo? info = StrictJson.Options.GetTypeInfo(rootType), parentInfo = null;
        JsonPropertyInfo? property = null;
        foreach (var segment in segments)
        {
            (parent, parentInfo, property) = (element, info, null);
            if (segment.Name is { } name)
            {
                element = element is { ValueKind: JsonValueKind.Object } o && o.TryGetProperty(name, out var v) ? v : null;
                property = info?.Kind == JsonTypeInfoKind.Object
                    ? Keys(info).FirstOrDefault(p => p.Name == name) : null;
                info = property is not null ? TypeInfo(property.PropertyType)
                     : info?.Kind == JsonTypeInfoKind.Dictionary ? TypeInfo(info.ElementType!) : null;
            }
            else
            {
                element = element is { ValueKind: JsonValueKind.Array } a && segment.Index < a.GetArrayLength() ? a[segment.Index] : null;
                info = info?.Kind == JsonTypeInfoKind.Enumerable ? TypeInfo(info.ElementType!) : null;
            }
        }

        var last = segments.Count > 0 ? segments[^1] : default;
        if (last.Name is { } lastName && parent is { ValueKind: JsonValueKind.Object } p0 && p0.EnumerateObject().Count(x => x.Name == lastName) > 1)
            return Fail(e, $"{source}: {key} appears twice");
        if (element is { } here && FirstDuplicate(here, key) is { } duplicate)
            return Fail(e, $"{source}: {duplicate} appears twice");
        if (last.Name is not null && parentInfo?.Kind == JsonTypeInfoKind.Object && property is null
            && !parentInfo.Properties.Any(x => x.IsExtensionData))
        {
            var known = Keys(parentInfo).Select(x => x.Name)
                .Concat(segments.Count == 1 ? alsoKnown ?? [] : []).Order(StringComparer.Ordinal);
            return Fail(e, $"{source}: unknown key {key} (known: {string.Join(", ", known)})");
        }
        if (info?.Kind == JsonTypeInfoKind.Object && element is { ValueKind: JsonValueKind.Object } obj)
        {
            var missing = info.Properties.Where(x => x.IsRequired && !obj.TryGetProperty(x.Name, out _)).Select(x => x.Name).ToList();
            if (missing.Count > 0) return Fail(e, $"{source}: {subject}lacks {string.Join(", ", missing)}");
        }
        if (info is not null && element is { } value)
        {
            bool orNull = property?.IsSetNullable ?? Nullable.GetUnderlyingType(info.Type) is not null;
            return Fail(e, $"{source}: {subject}must be {Expected(info)}{(orNull ? " or null" : "")}, got {Quote(value)}");
        }
        return Fail(e, $"{source}: {(key.Length == 0 ? "" : key + ": ")}{FirstSentence(e.Message)}");
    }

    /// <summary>The message's first sentence without System.Text.Json's "Path: ... | LineNumber: ..." tail.</summary>
    public static string FirstSentence(string message)
    {
        string line = message.Split('\n')[0];
        int tail = line.IndexOf(" Path: ", StringComparison.Ordinal);
        if (tail < 0) tail = line.IndexOf(" LineNumber: ", StringComparison.Ordinal);
        return (tail >= 0 ? line[..tail] : line).TrimEnd();
    }

    /// <summary>No line number: the key path says where, and a section read from a checkpoint's
    /// metadata or gathered by [JsonExtensionData] has no line of the file to give.</summary>
    private static WaveFlowException Fail(JsonException e, string message) => new(message, 2, e);

    private static JsonTypeInfo TypeInfo(Type type) => StrictJson.Options.GetTypeInfo(type);

    /// <summary>The JSON keys of an object contract: [JsonIgnore] members stay in the contract
    /// under their .NET names, and the extension-data bag is no key.</summary>
    private static IEnumerable<JsonPropertyInfo> Keys(JsonTypeInfo info) =>
        info.Properties.Where(p => !p.IsExtensionData
            && p.AttributeProvider?.GetCustomAttributes(typeof(System.Text.Json.Serialization.JsonIgnoreAttribute), true)
                .Cast<System.Text.Json.Serialization.JsonIgnoreAttribute>().Any(a => a.Condition == System.Text.Json.Serialization.JsonIgnoreCondition.Always) != true);

    private static string Expected(JsonTypeInfo info)
    {
        var t = Nullable.GetUnderlyingType(info.Type) ?? info.Type;
        if (info.Kind == JsonTypeInfoKind.Enumerable) return "a JSON array";
        if (info.Kind is JsonTypeInfoKind.Object or JsonTypeInfoKind.Dictionary) return "a JSON object";
        return Type.GetTypeCode(t) switch
        {
            TypeCode.Byte or TypeCode.SByte or TypeCode.Int16 or TypeCode.UInt16 or TypeCode.Int32 or TypeCode.UInt32
                or TypeCode.Int64 or TypeCode.UInt64 => "an integer",
            TypeCode.Single or TypeCode.Double or TypeCode.Decimal => "a number",
            TypeCode.Boolean => "true or false",
            TypeCode.String or TypeCode.Char => "a string",
            _ => t.IsEnum ? $"one of {string.Join(", ", Enum.GetNames(t))}" : $"a {t.Name}",
        };
    }

    private static string Quote(JsonElement e)
    {
        string raw = e.GetRawText();
        return raw.Length > QuoteLength ? raw[..QuoteLength] + "…" : raw;
    }

    /// <summary>The first key held twice by one object inside <paramref name="element"/>, named from <paramref name="key"/>.</summary>
    private static string? FirstDuplicate(JsonElement element, string key)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                var seen = new HashSet<string>(StringComparer.Ordinal);
                foreach (var p in element.EnumerateObject())
                {
                    string full = key.Length == 0 ? p.Name : $"{key}.{p.Name}";
                    if (!seen.Add(p.Name)) return full;
                    if (FirstDuplicate(p.Value, full) is { } inner) return inner;
                }
                return null;
            case JsonValueKind.Array:
                int i = 0;
                foreach (var item in element.EnumerateArray())
                    if (FirstDuplicate(item, $"{key}[{i++}]") is { } inner) return inner;
                return null;
            default:
                return null;
        }
    }

    private readonly record struct Segment(string? Name, int Index);

    /// <summary>"$.a.b[2]['odd.key']" as segments.</summary>
    private static List<Segment> Segments(string? path)
    {
        var list = new List<Segment>();
        if (string.IsNullOrEmpty(path)) return list;
        int i = path.StartsWith('$') ? 1 : 0;
        while (i < path.Length)
        {
            if (path[i] == '.')
            {
                int end = i + 1;
                while (end < path.Length && path[end] != '.' && path[end] != '[') end++;
                list.Add(new Segment(path[(i + 1)..end], 0));
                i = end;
            }
            else if (path[i] == '[' && i + 1 < path.Length && path[i + 1] == '\'')
            {
                int end = path.IndexOf("']", i + 2, StringComparison.Ordinal);
                if (end < 0) break;
                list.Add(new Segment(path[(i + 2)..end], 0));
                i = end + 2;
            }
            else if (path[i] == '[')
            {
                int end = path.IndexOf(']', i);
                if (end < 0 || !int.TryParse(path.AsSpan(i + 1, end - i - 1), out int index)) break;
                list.Add(new Segment(null, index));
                i = end + 1;
            }
            else break;
        }
        return list;
    }

    private static string Key(string? at, IReadOnlyList<Segment> segments)
    {
        var sb = new System.Text.StringBuilder(at ?? "");
        foreach (var s in segments)
        {
            if (s.Name is { } name) sb.Append(sb.Length == 0 ? "" : ".").Append(name);
            else sb.Append('[').Append(s.Index).Append(']');
        }
        return sb.ToString();
    }
}
