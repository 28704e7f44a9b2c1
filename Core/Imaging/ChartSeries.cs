using System.Globalization;
using System.Net;
using System.Text;

namespace WaveFlow.Core.Imaging;

/// <summary>One line of a chart: points in data units; a NaN y breaks the line (e.g. unvoiced frames).</summary>
internal sealed record ChartSeries(string Name, IReadOnlyList<(double X, double Y)> Points, bool Dashed = false);
