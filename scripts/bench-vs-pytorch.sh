#!/usr/bin/env bash
# WaveFlow against NVIDIA's glow.py on PyTorch, on this machine's CPU, interleaved in one run.
#   scripts/bench-vs-pytorch.sh /path/to/NVIDIA-waveglow-clone [bench_vs_pytorch.py options]
# e.g. scripts/bench-vs-pytorch.sh ~/waveglow --threads 1 --cases synth-nvidia-2s --precisions fp32 bf16
# Installs Debian's python3-torch (PyTorch 1.13, CPU) if /usr/bin/python3 lacks torch, builds the
# waveflow CLI (Release), then runs scripts/bench_vs_pytorch.py. glow.py is imported from the clone,
# never copied here.
set -euo pipefail
if [[ $# -lt 1 || ! -f "$1/glow.py" ]]; then
  echo "usage: $0 NVIDIA_WAVEGLOW_CLONE [options]   (the folder must hold glow.py)" >&2
  exit 2
fi
clone=$(cd "$1" && pwd); shift
root=$(cd "$(dirname "$0")/.." && pwd)
if ! /usr/bin/python3 -c 'import torch' 2>/dev/null; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-torch >/dev/null
fi
dotnet build "$root/Cli" -c Release -nologo -v quiet >/dev/null
exec /usr/bin/python3 "$root/scripts/bench_vs_pytorch.py" --waveglow "$clone" \
  --waveflow "$root/Cli/bin/Release/net10.0/waveflow" "$@"
