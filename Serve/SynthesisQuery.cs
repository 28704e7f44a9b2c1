using System.Globalization;
using Microsoft.AspNetCore.Http;
using WaveFlow.Audio.Wav;

namespace WaveFlow.Serve;

/// <summary>
/// The query of <c>POST /v1/synthesize</c>: <c>model</c> (default: the first model),
/// <c>sigma</c> (default 0.6), <c>seed</c> (default: drawn, and returned in
/// <c>X-WaveFlow-Seed</c>), <c>format</c> (<c>wav16</c> or <c>wav32f</c>). Anything else, a key
/// given twice or a value that does not parse is refused with 400.
/// </summary>
internal sealed record SynthesisQuery(string? Model, float Sigma, long? Seed, WavSampleFormat Format)
{
    /// <summary>
    /// The largest σ accepted. Training makes z standard normal (σ = 1); NVIDIA synthesises with
    /// 0.6–1.0. A few times beyond 1 the output is loud noise, and a huge σ overflows to inf, so
    /// the bound keeps every answer finite audio.
    /// </summary>
    public const float MaxSigma = 4f;

    private static readonly string[] Keys = ["model", "sigma", "seed", "format"];

    public static SynthesisQuery Parse(IQueryCollection query)
    {
        foreach (var (key, values) in query)
        {
            if (!Keys.Contains(key, StringComparer.Ordinal))
                throw ApiError.BadRequest($"unknown query parameter '{Clip(key)}' (known: {string.Join(", ", Keys)})", "bad_option");
            if (values.Count != 1) throw ApiError.BadRequest($"query parameter '{key}' is given {values.Count} times", "bad_option");
        }
        string? model = query.TryGetValue("model", out var m) ? m.ToString() : null;
        float sigma = 0.6f;
        if (query.TryGetValue("sigma", out var s))
        {
            if (!float.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out sigma) || !float.IsFinite(sigma) || sigma < 0 || sigma > MaxSigma)
                throw ApiError.BadRequest($"sigma '{Clip(s!)}': must be a number in [0, {MaxSigma}]", "bad_option");
        }
        long? seed = null;
        if (query.TryGetValue("seed", out var n))
        {
            if (!long.TryParse(n, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) || v < 0)
                throw ApiError.BadRequest($"seed '{Clip(n!)}': must be an integer ≥ 0", "bad_option");
            seed = v;
        }
        var format = WavSampleFormat.Pcm16;
        if (query.TryGetValue("format", out var f))
        {
            format = f.ToString() switch
            {
                "wav16" => WavSampleFormat.Pcm16,
                "wav32f" => WavSampleFormat.Float32,
                var other => throw ApiError.BadRequest($"format '{Clip(other)}': must be wav16 or wav32f", "bad_option"),
            };
        }
        return new SynthesisQuery(model, sigma, seed, format);
    }

    /// <summary>Echoes at most 64 characters of what a client sent.</summary>
    public static string Clip(string text) => text.Length <= 64 ? text : text[..64] + "…";
}
