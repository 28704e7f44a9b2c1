using WaveFlow.Evaluation.Comparison;
using WaveFlow.Evaluation.Report;

namespace WaveFlow.Tests.Evaluation;

/// <summary>The report page's prosody columns and per-clip F0 plots.</summary>
public class PitchReportTests
{
    [Fact]
    public void EachClipGetsAnF0PlotWithTheRecordingAndEverySystemAndNaIsShownForAMissingF0Error()
    {
        var systems = new List<SystemInfo> { new("model", SystemKind.Model), new(GroundTruthRenderer.Name, SystemKind.GroundTruth) };
        double[] voiced = [0, 110, 112, 115, 0, 0, 120, 0], whisper = new double[8];
        var audio = new List<RenderedAudio>();
        var scores = new List<ClipScore>();
        foreach (var clip in new[] { "c1", "c2" })
        {
            audio.Add(new RenderedAudio(clip, "model", SyntheticReport.Pcm16Wav(new float[800], 8000), F0: whisper));
            audio.Add(new RenderedAudio(clip, GroundTruthRenderer.Name, SyntheticReport.Pcm16Wav(new float[800], 8000), F0: voiced));
            scores.Add(new ClipScore(clip, "model", 0.1, 1, 5, 0.8, VoicingError: 0.5, HnrDb: -6, HnrGapDb: 15, TremoloIndex: 0.6));
            scores.Add(new ClipScore(clip, GroundTruthRenderer.Name, 0.1, 0, 0, 0, F0RmseCents: 0, VoicingError: 0, HnrDb: 9, HnrGapDb: 0, TremoloIndex: 0));
        }
        var page = ReportPage.Render(new ReportContent("t", 1, 0.6, "s", systems, ["c1", "c2"], scores, audio));
        int plots = page.Split("<svg").Length - 1;
        Assert.Equal(2, plots);
        Assert.Contains(">recording</text>", page);            // the recording's line is named in the legend
        Assert.Contains("<th>F0 RMSE (cents)</th><th>F0 gross errors</th><th>F0 fine RMSE (cents)</th><th>pitch wobble (cents)</th>", page);
        Assert.Contains("<td>n/a</td>", page);                  // the whispering model's F0 error
        Assert.DoesNotContain(">NaN<", page);                  // (base64 audio may hold the letters)
        // the recording's voiced run 110-115 Hz is drawn as a line, the lone frame at 120 Hz as a dot
        Assert.Contains("<polyline", page);
        Assert.Contains("<circle", page);
    }
}
