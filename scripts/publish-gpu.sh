#!/usr/bin/env bash
# Packs waveflow for a machine that has PyTorch with CUDA but no .NET:
# a self-contained linux-x64 build with TorchBackend=external (no libtorch inside), plus
# scripts/gpu-env.sh to unpack it and point it at that PyTorch's libtorch.
#   usage: scripts/publish-gpu.sh [OUT_DIR=.gpu]
# There:   source scripts/gpu-env.sh [.gpu]  &&  waveflow info --selftest
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$here/.gpu}
mkdir -p "$out"
pub=$(mktemp -d)
trap 'rm -rf "$pub"' EXIT
dotnet publish "$here/Cli/WaveFlow.Cli.csproj" -c Release -r linux-x64 --self-contained \
  -p:TorchBackend=external -p:DebugType=none -o "$pub" -v q
tar -cJf "$out/app.tar.xz.tmp" -C "$pub" .
mv "$out/app.tar.xz.tmp" "$out/app.tar.xz"
echo "packed $(du -h "$out/app.tar.xz" | cut -f1) into $out/app.tar.xz"
