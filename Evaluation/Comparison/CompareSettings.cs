using System.Diagnostics;
using System.Text.Json;
using WaveFlow.Audio;
using WaveFlow.Audio.Imaging;
using WaveFlow.Audio.Wav;
using WaveFlow.Core;
using WaveFlow.Core.IO;
using WaveFlow.Evaluation.Report;

namespace WaveFlow.Evaluation.Comparison;

/// <summary>Settings of one comparison; <see cref="Seed"/> fixes the noise (clip i gets Seed + i in every model) and the A/B order.</summary>
internal sealed record CompareSettings(double Sigma = 0.6, int Seed = 1, string Title = "WaveFlow comparison", string Source = "");
