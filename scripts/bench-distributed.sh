#!/usr/bin/env bash
# Times data-parallel training on this machine's CPU cores: the same global batch as 1 process
# (all threads) and as 2 MPI ranks (threads split), printing seconds per iteration and the share
# of the step spent in the gradient all-reduce (from `waveflow train`'s summary).
#   usage: scripts/bench-distributed.sh [CONFIG=configs/waveflow-small.json] [ITERATIONS=8] [GLOBAL_BATCH=12]
# Needs Open MPI (apt-get install openmpi-bin libopenmpi-dev) and python3 with numpy (the corpus).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
config=${1:-$here/configs/waveflow-small.json}
iterations=${2:-8}
global=${3:-12}
cores=$(nproc)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
dotnet build "$here/Cli" -c Release -v q -nologo >/dev/null
app="$here/Cli/bin/Release/net10.0/waveflow.dll"
/usr/bin/python3 "$here/scripts/device/make-corpus.py" "$work/corpus" 48 2.5 >/dev/null
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
for ranks in 1 2; do
  per=$((global / ranks))
  threads=$(( cores / ranks > 0 ? cores / ranks : 1 ))
  /usr/bin/python3 - "$config" "$work/c$ranks.json" "$per" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
c["train_config"].update(batch_size=int(sys.argv[3]), iters_per_validation=100000, iters_per_checkpoint=100000, validation_clips=2, test_clips=2, with_tensorboard=False)
json.dump(c, open(sys.argv[2], "w"))
PY
  start=$(date +%s.%N)
  mpirun --oversubscribe --bind-to none -np "$ranks" dotnet "$app" train --config "$work/c$ranks.json" --data "$work/corpus" \
    --out "$work/run$ranks" --iterations "$iterations" --device cpu --distributed mpi --threads "$threads" > "$work/log$ranks" 2>&1
  end=$(date +%s.%N)
  rate=$(grep -o "([0-9.eE+-]* it/s)" "$work/log$ranks" | tail -1 | tr -d '()')
  share=$(grep -o "all-reduce [0-9.]* %" "$work/log$ranks" | tail -1 || true)
  echo "ranks $ranks × batch $per × $threads thread(s): $rate (smoothed), ${share:-all-reduce n/a}, whole job $(/usr/bin/python3 -c "print(round($end - $start, 1))") s for $iterations iterations"
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
