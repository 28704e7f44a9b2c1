#!/usr/bin/env bash
# Makes the Praat pitch tracks the voicing and F0 tests compare with (Tests/Fixtures/praat/*.f0),
# so the tests need no Praat: the shipped sample recordings, the test corpus clips and the sox
# edits of Tests/Fixtures/prosody (this script also makes the 10 dB SNR noise edit there).
# Installs praat and sox with apt when they are missing.
#   usage: scripts/praat-tracks.sh
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
need=()
command -v praat >/dev/null || need+=(praat)
command -v sox >/dev/null || need+=(sox)
if ((${#need[@]})); then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
prosody=$here/Tests/Fixtures/prosody
out=$here/Tests/Fixtures/praat
mkdir -p "$out"

# rec.wav plus white noise 10 dB below its mean power (sox -R: the same noise every time)
rms() { sox "$1" -n stat 2>&1 | awk '/RMS +amplitude/ {print $3}'; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
sox -R "$prosody/rec.wav" "$tmp/noise.wav" synth whitenoise vol 0.5
gain=$(awk -v s="$(rms "$prosody/rec.wav")" -v n="$(rms "$tmp/noise.wav")" 'BEGIN { print s / n / sqrt(10) }')
sox -R -m "$prosody/rec.wav" -v "$gain" "$tmp/noise.wav" -b 16 "$prosody/rec-noise10.wav"

for wav in "$here"/samples/wavs/*.wav "$here"/Tests/Fixtures/corpus-mini/wavs/*.wav "$prosody"/rec*.wav; do
  name=$(basename "$wav" .wav)
  praat --run "$here/scripts/praat/pitch-track.praat" "$wav" "$tmp/$name.f0" 256
  mv "$tmp/$name.f0" "$out/$name.f0"
  echo "$name: $(awk '!/^#/ && $2 > 0' "$out/$name.f0" | wc -l) of $(grep -vc '^#' "$out/$name.f0") frames voiced by Praat"
done
