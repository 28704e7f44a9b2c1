using Prometheus;

namespace WaveFlow.Serve;

/// <summary>
/// The service's Prometheus metrics, in a registry of their own (one per server, so that two
/// servers in one process, as in the tests, count apart). <c>GET /metrics</c> exports them with
/// prometheus-net's HTTP metrics and the .NET runtime's statistics.
/// </summary>
internal sealed class ServeMetrics
{
    public ServeMetrics()
    {
        Registry = Metrics.NewCustomRegistry();
        DotNetStats.Register(Registry);
        Factory = Metrics.WithCustomRegistry(Registry);
        Requests = Factory.CreateCounter("waveflow_requests_total", "Synthesis requests answered, by model and HTTP status.",
            new CounterConfiguration { LabelNames = ["model", "code"] });
        Errors = Factory.CreateCounter("waveflow_request_errors_total", "Synthesis requests refused or failed, by reason.",
            new CounterConfiguration { LabelNames = ["reason"] });
        Admitted = Factory.CreateGauge("waveflow_queue_length", "Requests admitted and not finished (being synthesised or waiting for their turn).");
        BatchSize = Factory.CreateHistogram("waveflow_batch_size", "Chunks computed together in one forward pass.",
            new HistogramConfiguration { LabelNames = ["model"], Buckets = Histogram.LinearBuckets(1, 1, 16) });
        Latency = Factory.CreateHistogram("waveflow_request_duration_seconds", "Time from a request's arrival to its last audio byte.",
            new HistogramConfiguration { LabelNames = ["model"], Buckets = Histogram.ExponentialBuckets(0.01, 2, 14) });
        FirstAudio = Factory.CreateHistogram("waveflow_time_to_first_audio_seconds", "Time from a request's arrival to its first audio chunk.",
            new HistogramConfiguration { LabelNames = ["model"], Buckets = Histogram.ExponentialBuckets(0.01, 2, 14) });
        RealTimeFactor = Factory.CreateHistogram("waveflow_real_time_factor", "A request's duration divided by the duration of its audio (below 1: faster than real time).",
            new HistogramConfiguration { LabelNames = ["model"], Buckets = Histogram.ExponentialBuckets(0.01, 2, 12) });
        AudioSeconds = Factory.CreateCounter("waveflow_audio_seconds_total", "Seconds of audio sent.",
            new CounterConfiguration { LabelNames = ["model"] });
    }

    public CollectorRegistry Registry { get; }
    public IMetricFactory Factory { get; }
    public Counter Requests { get; }
    public Counter Errors { get; }
    public Gauge Admitted { get; }
    public Histogram BatchSize { get; }
    public Histogram Latency { get; }
    public Histogram FirstAudio { get; }
    public Histogram RealTimeFactor { get; }
    public Counter AudioSeconds { get; }
}
