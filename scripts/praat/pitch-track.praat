# Praat pitch track of one WAV on WaveFlow's frame grid: frame j centred on sample j*hop of the
# file, as Audio/Dsp/Prosody/PitchTracker.cs places its frames. Writes "j f0" lines (0 = unvoiced).
#   praat --run pitch-track.praat IN.wav OUT.txt HOP
# To Pitch (ac) with Praat's standard settings: floor 60 Hz, ceiling 500 Hz, 15 candidates, voicing
# threshold 0.45, silence threshold 0.03, octave cost 0.01, octave-jump cost 0.35, voiced/unvoiced cost 0.14.
form Track
  sentence In in.wav
  sentence Out out.txt
  positive Hop 256
endform
s = Read from file: in$
sr = Get sampling frequency
n = Get number of samples
dt = hop / sr
# Praat centres its frames in the sound. Pad with zeros (9 hops before and after), see where
# frame 1 falls relative to our frame grid (frame j centred on sample j*hop of the original),
# then move d samples of padding from the end to the start: the frames stay put and the grid moves
# d samples later, so d = the fractional part of the offset puts Praat's frames on ours.
padStart = 9 * hop
padEnd = 9 * hop
for attempt to 2
  # Concatenate joins in the order of creation, not of selection: make the pieces in order
  z1 = Create Sound from formula: "z1", 1, 0, padStart / sr, sr, "0"
  selectObject: s
  body = Copy: "body"
  z2 = Create Sound from formula: "z2", 1, 0, padEnd / sr, sr, "0"
  selectObject: z1, body, z2
  padded = Concatenate
  removeObject: z1, body, z2
  p = To Pitch (ac): dt, 60, 15, "no", 0.03, 0.45, 0.01, 0.35, 0.14, 500
  t1 = Get time from frame number: 1
  off = (t1 * sr - padStart) / hop
  if attempt = 1
    d = round((off - floor(off)) * hop)
    padStart = padStart + d
    padEnd = padEnd - d
    removeObject: p, padded
  endif
endfor
frac = off - round(off)
if abs(frac) > 0.01
  exitScript: "could not align Praat's frames with the hop (", fixed$(frac, 3), " hop off)"
endif
selectObject: p
frames = Get number of frames
writeFileLine: out$, "# praat To Pitch (ac) 60-500 Hz, time step ", hop, "/", sr, " s; frame j centred on sample j*", hop, "; f0 0 = unvoiced"
ours = floor(n / hop) + 1
for j from 0 to ours - 1
  t = (padStart + j * hop) / sr
  i = Get frame number from time: t
  i = round(i)
  f = 0
  if i >= 1 and i <= frames
    f = Get value in frame: i, "Hertz"
    if f = undefined
      f = 0
    endif
  endif
  appendFileLine: out$, j, " ", fixed$(f, 3)
endfor
