using WaveFlow.Core;

namespace WaveFlow.Evaluation.Comparison;

/// <summary>A system under comparison: something that turns a clip's mel into audio.</summary>
internal interface IClipRenderer : IDisposable
{
    SystemInfo Info { get; }

    /// <summary>Audio in [-1, 1] for the clip; <paramref name="seed"/> fixes any noise it draws.</summary>
    float[] Render(InputClip clip, long seed);

    /// <summary>Negative log-likelihood per sample of the clip's recording, or null when the system has none.</summary>
    double? Nll(InputClip clip);

    /// <summary>Whether rendering takes time worth reporting as a real-time factor.</summary>
    bool Timed { get; }
}
