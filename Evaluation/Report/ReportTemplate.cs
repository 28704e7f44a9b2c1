namespace WaveFlow.Evaluation.Report;

/// <summary>
/// The report page: static HTML with inline CSS and JavaScript, no network. <see cref="ReportPage"/>
/// fills the <c>{{...}}</c> placeholders; <c>{{DATA}}</c> is the JSON the script renders the blind test from.
/// The script exposes <c>window.waveflowResults()</c> and mirrors the results into
/// <c>#waveflow-results</c> so a browser driven by a test can read them without a download.
/// </summary>
static class ReportTemplate
{
    public const string Html = """
<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{TITLE}}</title>
<style>
body { font-family: system-ui, sans-serif; margin: 1.5rem auto; max-width: 72rem; padding: 0 1rem; color: #222; }
h1 { font-size: 1.5rem; } h2 { font-size: 1.2rem; margin-top: 2rem; } h3 { font-size: 1rem; }
.meta { color: #555; font-size: .9rem; }
table { border-collapse: collapse; margin: .5rem 0 1rem; font-size: .9rem; }
th, td { border: 1px solid #ccc; padding: .25rem .5rem; text-align: right; }
th:first-child, td:first-child, td.l { text-align: left; }
thead th { background: #f0f0f0; }
td.differs { background: #fff3c4; font-weight: 600; }
.pair { border: 1px solid #ccc; border-radius: 6px; padding: .75rem 1rem; margin: .75rem 0; }
.pair.answered { border-color: #4a8; background: #f4fbf7; }
.pair h3 { margin: 0 0 .5rem; }
.sides { display: flex; gap: 2rem; flex-wrap: wrap; }
.side { display: flex; flex-direction: column; gap: .25rem; }
.choices { margin: .5rem 0; display: flex; gap: 1.5rem; flex-wrap: wrap; }
textarea { width: 100%; max-width: 40rem; height: 2.5rem; }
#progress { font-weight: 600; }
.spectros { display: grid; gap: .5rem; grid-template-columns: repeat(auto-fill, minmax(16rem, 1fr)); }
.spectros figure { margin: 0; } .spectros img { width: 100%; image-rendering: pixelated; border: 1px solid #ddd; }
.spectros figcaption { font-size: .8rem; color: #444; }
details > summary { cursor: pointer; font-weight: 600; }
.note { font-size: .85rem; color: #555; }
</style>
</head>
<body>
<h1>{{TITLE}}</h1>
<p class="meta">Report {{REPORT_ID}} · {{SOURCE}} · sigma {{SIGMA}} · seed {{SEED}} · generated {{GENERATED}}</p>

<h2>Blind listening test</h2>
<p>Each pair plays the same clip from two systems, named only A and B; which system is which,
and the order of the pairs, were drawn at random. Listen to both (headphones help), then choose the
one that sounds better, or "no preference". A comment is optional. When done, download your
answers and send the file to whoever runs the comparison (<code>waveflow compare-results</code> pools them).</p>
<p><label>Your name or initials (optional): <input id="listener" type="text" size="20"></label></p>
<div id="pairs"></div>
<p><span id="progress"></span></p>
<p><button id="export" type="button">Download my answers (JSON)</button>
<a id="download" href="#" hidden>results file</a></p>
<pre id="waveflow-results" hidden></pre>

<h2>Systems, metrics and spectrograms</h2>
<details id="reveal">
<summary>Show which systems were compared (names the systems: finish the listening test first)</summary>
<h3>Mean scores</h3>
{{MEANS}}
<p class="note">Log-mel L1: mean |log mel(output) − log mel(input)| (natural log, clamped at 1e-5), lower is better.
MCD: mel-cepstral distortion against the recording in dB. SC: spectral convergence against the recording.
NLL: negative log-likelihood per sample of the recording under the model (NVIDIA's loss at sigma 1), lower is better.
RTF: synthesis time / audio duration on the machine that made this report (below 1 is faster than real time).
Against the recording (YIN pitch tracker, one frame per mel hop): F0 RMSE in cents over frames voiced in both;
V/UV: share of frames voiced in one and not the other; HNR: the output's harmonics-to-noise ratio where the
recording is voiced (a recording of speech reads about +5 to +15 dB, whisper about −10 dB), HNR gap: its distance to the recording's;
tremolo: depth of the 3–12 Hz loudness modulation the output adds to the recording's (0.2 = a gain wobbling between 1 and 0.8).</p>
<h3>Block structure</h3>
{{STRUCTURE}}
<p class="note">Highlighted cells differ between the models.</p>
<h3>Per clip</h3>
{{PER_CLIP}}
<h3>Pitch tracks</h3>
{{F0_PLOTS}}
<h3>Spectrograms</h3>
{{SPECTROGRAMS}}
</details>

<script id="waveflow-data" type="application/json">{{DATA}}</script>
<script>
{{SCRIPT}}
</script>
</body>
</html>
""";
}
