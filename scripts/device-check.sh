#!/usr/bin/env bash
# The one command that proves WaveFlow's GPU side, on a Linux GPU machine that has PyTorch with
# CUDA but no .NET (at most 8 minutes). Before it, on a machine with the .NET SDK:
#     scripts/publish-gpu.sh            # packs the self-contained build into .gpu/app.tar.xz
# Then, on the GPU machine, from the repository root (with .gpu/ beside it):
#     scripts/device-check.sh [OUT_DIR]  # default: $OUT, else device-out
# It runs, each under its own time limit, writing logs and JSON into OUT_DIR:
#   info --selftest; NCCL with one rank against the plain step; with mpirun present, two NCCL
#   ranks on one GPU (must be refused naming the cause) and two MPI ranks sharing the GPU against
#   one rank at the combined batch; bench --fp16 --train on NVIDIA's config and the shipped
#   config, and bf16/fp16 training steps of NVIDIA's config; 300 training iterations of the shipped
#   config on a corpus it makes itself, and 100 more in fp16 mixed precision.
# OUT_DIR/summary.json gathers every step's exit code, seconds and numbers.
set -uo pipefail
cd "$(dirname "$0")/.."
out=$(realpath -m "${1:-${OUT:-device-out}}")
mkdir -p "$out"
py=$(command -v python3)
# shellcheck source=/dev/null
source scripts/gpu-env.sh .gpu || { echo "device-check: could not unpack .gpu/app.tar.xz (run scripts/publish-gpu.sh first)"; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
: > "$out/steps.jsonl"

# step NAME SECONDS COMMAND...: runs it with a limit, logs to OUT/NAME.log, records exit and time.
step() {
  local name=$1 limit=$2; shift 2
  local start=$SECONDS
  echo "== $name (limit ${limit}s)"
  timeout --kill-after=10 "$limit" "$@" > "$out/$name.log" 2>&1
  local rc=$?
  echo "{\"step\": \"$name\", \"exit\": $rc, \"seconds\": $((SECONDS - start))}" >> "$out/steps.jsonl"
  tail -n 3 "$out/$name.log"
  return $rc
}
note() { echo "{\"step\": \"$1\", \"note\": \"$2\"}" >> "$out/steps.jsonl"; echo "-- $1: $2"; }
weights() { "$py" scripts/device/compare-weights.py "$1" "$2"; }

step info 90 waveflow info --selftest

# A corpus (numpy only), and the tiny config at batch 2 / 1 for the equivalence checks.
step corpus 120 "$py" scripts/device/make-corpus.py "$work/corpus" 48 2.5
"$py" - "$work" <<'PY'
import json, sys
w = sys.argv[1]
for batch in (1, 2):
    c = json.load(open("configs/waveflow-tiny.json"))
    c["train_config"].update(batch_size=batch, iters_per_log=1, iters_per_checkpoint=2, iters_per_validation=3, keep_last=20)
    json.dump(c, open(f"{w}/tiny-b{batch}.json", "w"))
PY
tiny() { echo train --config "$work/tiny-b$1.json" --data "$work/corpus" --out "$work/$2" --iterations 4 --device "$3" --distributed "$4"; }

# NCCL, one rank (no launcher, no MPI needed): equals the plain step.
step nccl-plain 90 waveflow $(tiny 2 plain cuda none)
step nccl-one-rank 90 waveflow $(tiny 2 nccl1 cuda nccl) \
  && echo "{\"check\": \"nccl-one-rank-vs-plain\", \"max_relative_l2\": $(weights "$work/nccl1/checkpoints/waveflow-00000004.safetensors" "$work/plain/checkpoints/waveflow-00000004.safetensors"), \"tolerance\": 1e-5}" | tee "$out/nccl-one-rank.json"

if command -v mpirun >/dev/null 2>&1; then
  mpi=(mpirun --allow-run-as-root --oversubscribe --bind-to none -np 2)
  step nccl-duplicate-gpu 90 "${mpi[@]}" /tmp/waveflow-app/waveflow $(tiny 1 dup cuda:0 nccl)
  grep -q "both use GPU 0" "$out/nccl-duplicate-gpu.log" && echo '{"check": "nccl-duplicate-gpu-refused", "ok": true}' | tee "$out/nccl-duplicate-gpu.json" \
    || echo '{"check": "nccl-duplicate-gpu-refused", "ok": false}' | tee "$out/nccl-duplicate-gpu.json"
  step mpi-shared-gpu-single 90 waveflow $(tiny 2 shared1 cuda:0 none)
  step mpi-shared-gpu 120 "${mpi[@]}" /tmp/waveflow-app/waveflow $(tiny 1 shared2 cuda:0 mpi) \
    && echo "{\"check\": \"mpi-ranks-sharing-a-gpu-vs-one-rank\", \"max_relative_l2\": $(weights "$work/shared2/checkpoints/waveflow-00000004.safetensors" "$work/shared1/checkpoints/waveflow-00000004.safetensors"), \"tolerance\": 1e-4}" | tee "$out/mpi-shared-gpu.json"
else
  note mpi "no mpirun on this machine: the two multi-rank GPU checks were not run"
fi

step bench-nvidia 150 waveflow bench --device cuda --fp16 --train --config configs/waveglow-ljspeech.json --json "$out/bench-nvidia.json"
step bench-shipped 90 waveflow bench --device cuda --fp16 --train --config configs/waveflow-small.json --json "$out/bench-shipped.json"
# Mixed-precision training steps of NVIDIA's config (float32 master weights, bf16/fp16 products).
step bench-nvidia-train-bf16 90 waveflow bench --device cuda --train-only --bf16 --config configs/waveglow-ljspeech.json --json "$out/bench-nvidia-train-bf16.json"
step bench-nvidia-train-fp16 90 waveflow bench --device cuda --train-only --fp16 --config configs/waveglow-ljspeech.json --json "$out/bench-nvidia-train-fp16.json"

# 300 iterations of the shipped config, validation at the end.
"$py" - "$work" <<'PY'
import json, sys
c = json.load(open("configs/waveflow-small.json"))
c["train_config"].update(iters_per_validation=300, iters_per_checkpoint=300, validation_clips=4, test_clips=4)
json.dump(c, open(f"{sys.argv[1]}/small-300.json", "w"))
PY
step train-shipped-300 180 waveflow train --config "$work/small-300.json" --data "$work/corpus" --out "$work/small" --iterations 300 --device cuda
cp "$work/small/validation.csv" "$out/train-shipped-300-validation.csv" 2>/dev/null
# The same run for 100 iterations in fp16 with dynamic loss scaling (overflows are logged lines).
"$py" - "$work" <<'PY'
import json, sys
c = json.load(open(f"{sys.argv[1]}/small-300.json"))
c["train_config"].update(precision="fp16", iters_per_validation=100, iters_per_checkpoint=100)
json.dump(c, open(f"{sys.argv[1]}/small-fp16.json", "w"))
PY
step train-shipped-fp16-100 120 waveflow train --config "$work/small-fp16.json" --data "$work/corpus" --out "$work/small-fp16" --iterations 100 --device cuda
cp "$work/small-fp16/validation.csv" "$out/train-shipped-fp16-100-validation.csv" 2>/dev/null

"$py" - "$out" <<'PY'
import json, os, re, sys
out = sys.argv[1]
summary = {"steps": [json.loads(l) for l in open(f"{out}/steps.jsonl") if l.strip()]}
for name in ("nccl-one-rank", "nccl-duplicate-gpu", "mpi-shared-gpu", "bench-nvidia", "bench-shipped",
             "bench-nvidia-train-bf16", "bench-nvidia-train-fp16"):
    p = f"{out}/{name}.json"
    if os.path.exists(p):
        try:
            summary[name] = json.load(open(p))
        except ValueError:
            summary[name] = open(p).read()
for run in ("train-shipped-300", "train-shipped-fp16-100"):
    log = f"{out}/{run}.log"
    if os.path.exists(log):
        m = re.findall(r"last loss\s*│\s*([-\d.]+) \(([\d.]+) it/s\)", open(log).read())
        if m:
            summary[run] = {"last_loss": float(m[-1][0]), "iterations_per_second": float(m[-1][1])}
json.dump(summary, open(f"{out}/summary.json", "w"), indent=1)
print(json.dumps(summary, indent=1))
PY
