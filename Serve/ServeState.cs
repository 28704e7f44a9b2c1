using WaveFlow.Core;
using WaveFlow.Vocoder;

namespace WaveFlow.Serve;

/// <summary>
/// Everything the endpoints share: the settings, the models by name (the first is the default),
/// the bounded queue, the metrics, and whether the server is stopping. Owns the models.
/// </summary>
internal sealed class ServeState : IDisposable
{
    /// <summary>The longest Retry-After the server suggests, in seconds.</summary>
    public const int MaxRetryAfterSeconds = 60;

    private readonly Dictionary<string, ServedModel> byName;
    private double meanRequestSeconds = 1;   // running mean of request durations, for Retry-After
    private volatile bool stopping;

    public ServeState(ServeSettings settings, IReadOnlyList<ServedModel> models, ServeMetrics metrics)
    {
        Settings = settings;
        Models = models;
        Metrics = metrics;
        byName = models.ToDictionary(m => m.Name, StringComparer.Ordinal);
        Admission = new AdmissionGate(settings.MaxQueue);
        ApiKey = settings.ApiKey is { } key ? new ApiKeyCheck(key) : null;
    }

    /// <summary>
    /// Loads every model of <paramref name="settings"/> once, on <paramref name="device"/>. A model
    /// that fails to load frees those loaded before it and throws (naming its file).
    /// </summary>
    public static ServeState Load(ServeSettings settings, TorchSharp.torch.Device device, ServeMetrics metrics)
    {
        settings.Validate();
        var models = new List<ServedModel>();
        try
        {
            foreach (var spec in settings.Models)
            {
                var vocoder = WaveFlowVocoder.Load(spec.CheckpointPath, device, settings.ConfigPath);
                try { models.Add(new ServedModel(spec.Name, spec.CheckpointPath, vocoder, settings, metrics)); }
                catch { vocoder.Dispose(); throw; }
            }
        }
        catch
        {
            foreach (var m in models) m.Dispose();
            throw;
        }
        return new ServeState(settings, models, metrics);
    }

    public ServeSettings Settings { get; }
    public IReadOnlyList<ServedModel> Models { get; }
    public ServeMetrics Metrics { get; }
    public AdmissionGate Admission { get; }
    public ApiKeyCheck? ApiKey { get; }

    /// <summary>Set when the host begins to stop: /readyz and new syntheses answer 503.</summary>
    public bool Stopping { get => stopping; set => stopping = value; }

    /// <summary>The model a request names (the first when it names none); 400 for an unknown name.</summary>
    public ServedModel Find(string? name)
    {
        if (name is null) return Models[0];
        return byName.TryGetValue(name, out var model) ? model
            : throw ApiError.BadRequest($"unknown model '{SynthesisQuery.Clip(name)}' (served: {string.Join(", ", byName.Keys)})", "unknown_model");
    }

    /// <summary>Seconds after which a refused client may expect a free slot: about one mean request duration.</summary>
    public int RetryAfterSeconds => (int)Math.Clamp(Math.Ceiling(Volatile.Read(ref meanRequestSeconds)), 1, MaxRetryAfterSeconds);

    /// <summary>Adds a finished request's duration to the running mean (weight 1/8 per request).</summary>
    public void RecordDuration(double seconds)
    {
        double old = Volatile.Read(ref meanRequestSeconds);
        Volatile.Write(ref meanRequestSeconds, old + (seconds - old) / 8);
    }

    public void Dispose()
    {
        foreach (var m in Models) m.Dispose();
    }
}
