#!/usr/bin/env bash
# `waveflow serve` on a GPU machine that has PyTorch with CUDA but no .NET (about 4 minutes).
# Before it, here: scripts/publish-gpu.sh (packs .gpu/app.tar.xz). There, from the repository root:
#     scripts/device-check-serve.sh [OUT_DIR] [MODEL=samples/model/waveflow-small.safetensors]
# Checks on CUDA: the server's wav32f samples against `waveflow synthesize --device cuda` for the
# same mel and seed; then, batching on (--max-batch 8) and off (1), a closed-loop load at
# concurrency 1, 4 and 16 (scripts/serve/pyload.py, 20 s each), time to first byte of a
# 1,232-frame mel, and SIGTERM's exit code. Results: OUT_DIR/serve-gpu.jsonl and logs.
set -uo pipefail
cd "$(dirname "$0")/.."
out=$(realpath -m "${1:-${OUT:-device-out}}")
model=${2:-samples/model/waveflow-small.safetensors}
mkdir -p "$out"
# shellcheck source=/dev/null
source scripts/gpu-env.sh .gpu || { echo "could not unpack .gpu/app.tar.xz (run scripts/publish-gpu.sh first)"; exit 2; }
work=$(mktemp -d)
port=18480
trap 'rm -rf "$work"' EXIT
python3 scripts/serve/mels.py samples/mels/WF002-0069.mel.npy "$work" 32 >/dev/null
python3 - "$work/good.npy" "$work/long.npy" <<'PY'
import struct, sys
raw = open(sys.argv[1], "rb").read(); hlen = struct.unpack("<H", raw[8:10])[0]
head = raw[10:10 + hlen].decode("latin1"); data = raw[10 + hlen:]
n_mel, t = (int(x) for x in head.split("(")[1].split(")")[0].split(","))
rows = [data[c * 4 * t:(c + 1) * 4 * t] * 4 for c in range(n_mel)]
h = head.replace(f"({n_mel}, {t})", f"({n_mel}, {4 * t})").rstrip("\n").rstrip()
h = h + " " * ((-(10 + len(h) + 1)) % 64) + "\n"
open(sys.argv[2], "wb").write(raw[:8] + struct.pack("<H", len(h)) + h.encode("latin1") + b"".join(rows))
PY
nvidia-smi --query-gpu=name,memory.used --format=csv,noheader > "$out/gpu.txt" 2>&1
timeout 120 waveflow synthesize --device cuda --checkpoint "$model" "$work/long.npy" -o "$work/cli" --seed 1 --format wav32f > "$out/serve-cli.log" 2>&1
echo "{\"step\": \"cli-synthesize\", \"exit\": $?}" >> "$out/serve-gpu.jsonl"
for batch in 8 1; do
  waveflow serve --device cuda --checkpoint "small=$model" --port $port --max-batch $batch --max-queue 64 > "$out/serve-$batch.log" 2>&1 &
  pid=$!
  for _ in $(seq 1 300); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break; sleep 0.2; done
  curl -sS --data-binary @"$work/long.npy" -o "$work/served.wav" "http://127.0.0.1:$port/v1/synthesize?seed=1&format=wav32f"
  diff=$(python3 scripts/serve/compare-wav.py "$work/cli/long.wav" "$work/served.wav" 2>&1 | tail -1)
  echo "{\"step\": \"exact\", \"max_batch\": $batch, \"max_abs_diff\": \"$diff\"}" >> "$out/serve-gpu.jsonl"
  for c in 1 4 16; do
    echo "{\"step\": \"load\", \"max_batch\": $batch, \"result\": $(timeout 60 python3 scripts/serve/pyload.py "http://127.0.0.1:$port/v1/synthesize?seed=1" "$work/good.npy" $c 20)}" >> "$out/serve-gpu.jsonl"
  done
  echo "{\"step\": \"ttfb\", \"max_batch\": $batch, \"ttfb_total_bytes_status\": \"$(python3 scripts/serve/ttfb.py 127.0.0.1 $port "/v1/synthesize?seed=1" "$work/long.npy")\"}" >> "$out/serve-gpu.jsonl"
  echo "{\"step\": \"memory\", \"max_batch\": $batch, \"vmhwm_kb\": $(awk '/VmHWM/ {print $2}' /proc/$pid/status)}" >> "$out/serve-gpu.jsonl"
  kill -TERM $pid; wait $pid; echo "{\"step\": \"sigterm\", \"max_batch\": $batch, \"exit\": $?}" >> "$out/serve-gpu.jsonl"
done
cat "$out/serve-gpu.jsonl"
