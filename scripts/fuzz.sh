#!/usr/bin/env bash
# Coverage-guided fuzzing of one loader with AFL++ and SharpFuzz.
#
#   scripts/fuzz.sh TARGET MINUTES      TARGET: wav npy pt-zip pt-legacy safetensors checkpoint config listening baseline
#
# Installs what it needs (afl++ from Debian, the SharpFuzz instrumenter as a local dotnet tool),
# builds the harness (Fuzz/) into .fuzz/bin, instruments WaveFlow's assemblies (the WAV, tensor-file
# and checkpoint parsers among them) for coverage, runs afl-fuzz from Fuzz/seeds/TARGET for MINUTES, then copies every new
# crash and hang into Fuzz/regressions/TARGET/ (named by content hash), which the test suite
# replays (Tests/Fuzz/LoaderFuzzTests). Prints executions, paths found, crashes and hangs.
# One afl-fuzz process, pinned to no core: the machine is shared.
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ $# -ne 2 ]]; then echo "usage: scripts/fuzz.sh TARGET MINUTES" >&2; exit 2; fi
target=$1 minutes=$2
[[ -d Fuzz/seeds/$target ]] || { echo "unknown target $target (have: $(ls Fuzz/seeds | tr '\n' ' '))" >&2; exit 2; }
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

if ! command -v afl-fuzz >/dev/null 2>&1; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq afl++ >/dev/null
fi
if [[ ! -x .fuzz/tools/sharpfuzz ]]; then
  dotnet tool install SharpFuzz.CommandLine --version 2.3.0 --tool-path .fuzz/tools >/dev/null
fi

# A fresh build each time (instrumentation rewrites the assemblies in place); FUZZ_REUSE_BUILD=1
# keeps the previous instrumented build, to fuzz several targets of one source tree in a row.
if [[ -z ${FUZZ_REUSE_BUILD:-} || ! -f .fuzz/bin/.instrumented ]]; then
  rm -rf .fuzz/bin
  dotnet build Fuzz -c Release -o .fuzz/bin -p:WaveFlowNativeTorch=true -v quiet -nologo >/dev/null
  for dll in WaveFlow.Core WaveFlow.Audio WaveFlow.Vocoder WaveFlow.Training WaveFlow.Evaluation; do
    .fuzz/tools/sharpfuzz ".fuzz/bin/$dll.dll" >/dev/null
  done
  touch .fuzz/bin/.instrumented
fi

findings=.fuzz/findings/$target
rm -rf "$findings"
mkdir -p "$findings"
# dotnet itself is not instrumented (the harness reports coverage through SharpFuzz), hence
# AFL_SKIP_BIN_CHECK; the timeout covers the runtime's start-up of each fork server.
AFL_SKIP_BIN_CHECK=1 AFL_NO_UI=1 AFL_NO_AFFINITY=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 \
AFL_FORKSRV_INIT_TMOUT=60000 DOTNET_TieredPGO=0 \
  afl-fuzz -i "Fuzz/seeds/$target" -o "$findings" -t 5000 -m none -V $((minutes * 60)) \
  -- dotnet .fuzz/bin/waveflow-fuzz.dll afl "$target" > "$findings/afl.log" 2>&1 || {
    echo "afl-fuzz failed; the end of its log:" >&2; tail -20 "$findings/afl.log" >&2; exit 1; }

stats=$findings/default/fuzzer_stats
get() { awk -F' *: *' -v k="$1" '$1 == k { print $2 }' "$stats"; }
mkdir -p "Fuzz/regressions/$target"
new=0
for f in "$findings"/default/crashes/id:* "$findings"/default/hangs/id:*; do
  [[ -e $f ]] || continue
  name=$(sha1sum "$f" | cut -c1-16)
  if [[ ! -e Fuzz/regressions/$target/$name ]]; then cp "$f" "Fuzz/regressions/$target/$name"; new=$((new + 1)); fi
done
echo "$target: $(get execs_done) executions in $(get run_time) s ($(get execs_per_sec)/s), $(get corpus_count) paths (corpus), $(get saved_crashes) crashes, $(get saved_hangs) hangs, $new new regression input(s)"
if [[ $new -gt 0 ]]; then
  echo "replaying the regression corpus of $target (DEFECT lines still fail):"
  timeout 600 dotnet .fuzz/bin/waveflow-fuzz.dll replay "$target" Fuzz/regressions/"$target"/* || true
fi
