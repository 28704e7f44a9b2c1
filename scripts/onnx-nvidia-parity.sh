#!/usr/bin/env bash
# NVIDIA's glow.py exported by PyTorch's own ONNX exporter gives the same audio in WaveFlow's ONNX
# runtime as WaveFlow's export of the same checkpoint, for the same mel and noise.
#
#   scripts/onnx-nvidia-parity.sh WAVEGLOW_DIR [CHECKPOINT CONFIG MEL EPS REFERENCE_AUDIO]
#
# WAVEGLOW_DIR: a checkout of NVIDIA/waveglow (not in the repository and not reachable from CI, so
# this runs by hand; docs/onnx.md has its last result). Defaults: the micro fixture (NVIDIA's
# checkpoint, its mel, noise and NVIDIA's own audio for sigma 0.6). WAVEFLOW: the waveflow command
# (default: the Release build). Needs python3-torch and python3-onnx (Debian).
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -ge 1 ] || { echo "usage: $0 WAVEGLOW_DIR [CHECKPOINT CONFIG MEL EPS REFERENCE_AUDIO]" >&2; exit 2; }
waveglow=$1
fixture=Tests/Fixtures/micro
checkpoint=${2:-$fixture/nvidia_checkpoint.pt}
config=${3:-$fixture/config.json}
mel=${4:-$fixture/infer.mel.npy}
eps=${5:-$fixture/infer.eps.npy}
reference=${6:-$fixture/infer.sigma0.6.audio.npy}
waveflow=${WAVEFLOW:-Cli/bin/Release/net10.0/waveflow}
python=/usr/bin/python3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

"$waveflow" export --checkpoint "$checkpoint" --config "$config" -o "$tmp/waveflow.onnx"
frames=$($python -c 'import numpy, sys; print(numpy.load(sys.argv[1]).shape[-1])' "$mel")
$python scripts/onnx-nvidia-export.py --waveglow "$waveglow" --checkpoint "$checkpoint" \
  --metadata-from "$tmp/waveflow.onnx" --frames "$frames" -o "$tmp/nvidia.onnx"
$python scripts/onnx-check.py "$tmp/waveflow.onnx"
$python scripts/onnx-check.py --fixed-length "$tmp/nvidia.onnx"
for graph in waveflow nvidia; do
  "$waveflow" synthesize --checkpoint "$tmp/$graph.onnx" --noise "$eps" --sigma 0.6 --format wav32f -o "$tmp/$graph" "$mel"
done
$python - "$tmp/waveflow" "$tmp/nvidia" "$reference" <<'PY'
import pathlib, sys
import numpy as np

def wav(folder):
    data = next(pathlib.Path(folder).glob("*.wav")).read_bytes()
    at = data.find(b"data")
    n = int.from_bytes(data[at + 4:at + 8], "little")
    return np.frombuffer(data[at + 8:at + 8 + n], dtype="<f4").astype(np.float64)

ours, nvidia = wav(sys.argv[1]), wav(sys.argv[2])
reference = np.load(sys.argv[3]).astype(np.float64).ravel()
rel = lambda a, b: np.linalg.norm(a - b) / np.linalg.norm(b)
print(f"NVIDIA's graph (torch.onnx.export) vs WaveFlow's export, both in WaveFlow's ONNX runtime: relative L2 {rel(nvidia, ours):.3g}")
print(f"WaveFlow's export vs NVIDIA's infer audio: {rel(ours, reference):.3g}; NVIDIA's graph vs it: {rel(nvidia, reference):.3g}")
sys.exit(0 if rel(nvidia, ours) <= 1e-4 else 1)
PY
