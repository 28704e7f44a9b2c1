using System.Diagnostics;
using System.Text.Json;
using WaveFlow.Audio;
using WaveFlow.Audio.Imaging;
using WaveFlow.Audio.Wav;
using WaveFlow.Core;
using WaveFlow.Core.IO;
using WaveFlow.Evaluation.Report;

namespace WaveFlow.Evaluation.Comparison;

/// <summary>What a comparison produced: the page content plus where its files went.</summary>
internal sealed record ComparisonResult(ReportContent Content, string IndexPath, string MetricsPath);
