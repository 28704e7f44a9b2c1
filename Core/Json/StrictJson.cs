using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace WaveFlow.Core.Json;

/// <summary>
/// Reads one section of a config file into a record whose properties carry [JsonPropertyName],
/// refusing what System.Text.Json would silently accept: unknown keys (a typo such as
/// "learing_rate" would otherwise train with the default) and values of the wrong type.
/// Every error names the file and the full key, e.g. "run.json: train_config.batch_size must be an integer, got \"12\"".
/// </summary>
internal static class StrictJson
{
    internal static readonly JsonSerializerOptions Options = new()
    {
        NumberHandling = JsonNumberHandling.Strict,
        AllowTrailingCommas = false,
        ReadCommentHandling = JsonCommentHandling.Skip,
        WriteIndented = true,
    };

    /// <summary>Checks <paramref name="section"/> against <typeparamref name="T"/> (and any extra
    /// allowed keys), then deserializes it; keys absent from the file keep the record's defaults.</summary>
    public static T Read<T>(JsonElement section, string key, string source, IReadOnlySet<string>? alsoAllowed = null)
    {
        Check(section, typeof(T), key, source, alsoAllowed);
        return (T)Deserialize(section, typeof(T), key, source)!;
    }

    /// <summary>The JSON names of a record's properties (those with [JsonPropertyName]).</summary>
    public static IReadOnlyDictionary<string, PropertyInfo> JsonProperties(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.GetCustomAttribute<JsonIgnoreAttribute>() is null)
            .Select(p => (p, name: p.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name))
            .Where(x => x.name is not null)
            .ToDictionary(x => x.name!, x => x.p, StringComparer.Ordinal);

    private static void Check(JsonElement element, Type type, string key, string source, IReadOnlySet<string>? alsoAllowed)
    {
        if (element.ValueKind != JsonValueKind.Object)
            throw new WaveFlowException($"{source}: {key} must be a JSON object, got {Describe(element)}");
        var known = JsonProperties(type);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var property in element.EnumerateObject())
        {
            string full = $"{key}.{property.Name}";
            if (!seen.Add(property.Name))
                throw new WaveFlowException($"{source}: {full} appears twice");
            if (alsoAllowed?.Contains(property.Name) == true) continue;
            if (!known.TryGetValue(property.Name, out var info))
                throw new WaveFlowException($"{source}: unknown key {full} (known: {string.Join(", ", known.Keys.Concat(alsoAllowed ?? new HashSet<string>()).Order(StringComparer.Ordinal))})");
            if (IsSection(info.PropertyType))
                Check(property.Value, info.PropertyType, full, source, null);
            else
                Deserialize(property.Value, info.PropertyType, full, source);
        }
    }

    /// <summary>A nested record read key by key (e.g. waveglow_config.WN_config).</summary>
    private static bool IsSection(Type type) =>
        type.IsClass && type != typeof(string) && !type.IsArray && JsonProperties(type).Count > 0;

    private static object? Deserialize(JsonElement value, Type type, string key, string source)
    {
        var target = Nullable.GetUnderlyingType(type) ?? type;
        if (value.ValueKind == JsonValueKind.Null && (target != type || !type.IsValueType))
            return null;
        try
        {
            return value.Deserialize(type, Options);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or NotSupportedException or FormatException)
        {
            throw new WaveFlowException($"{source}: {key} must be {TypeName(target)}, got {Describe(value)}", 2, e);
        }
    }

    private static string TypeName(Type t) =>
        t == typeof(int) || t == typeof(long) ? "an integer" :
        t == typeof(float) || t == typeof(double) ? "a number" :
        t == typeof(bool) ? "true or false" :
        t == typeof(string) ? "a string" :
        t.IsEnum ? $"one of {string.Join(", ", Enum.GetNames(t))}" :
        "a JSON object";

    private static string Describe(JsonElement e)
    {
        var raw = e.GetRawText();
        return raw.Length > 40 ? raw[..40] + "…" : raw;
    }
}
