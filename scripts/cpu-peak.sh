#!/usr/bin/env bash
# One core's peak float32 and bfloat16 arithmetic and its clock (scripts/cpu-peak.c): the roofline
# that docs/bench/history.md holds WaveFlow's GFLOP/s against. Needs gcc and a CPU with AVX-512 BF16.
set -euo pipefail
if ! grep -qw avx512_bf16 /proc/cpuinfo; then echo "this CPU has no AVX-512 BF16" >&2; exit 2; fi
if ! command -v gcc >/dev/null; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gcc >/dev/null; fi
out=$(mktemp -d); trap 'rm -rf "$out"' EXIT
gcc -O2 -mavx512f -mavx512bf16 -o "$out/cpu-peak" "$(dirname "$0")/cpu-peak.c"
taskset -c 0 "$out/cpu-peak"
