#!/usr/bin/env bash
# Load test of `waveflow serve` on loopback with wrk (Debian's wrk; installed if missing), on the
# shipped model, batching on (--max-batch 8) and off (--max-batch 1), at concurrency 1, 4 and 16:
# requests/s, seconds of audio per second, p50/p95/p99 latency, time to first byte of a long mel,
# peak memory (VmHWM). Then a soak: SOAK requests (default 2,000), one in ten malformed, counting
# unintended 5xx, checking every good response's size, sampling the server's memory.
#   usage: scripts/load-test.sh [SECONDS_PER_LEVEL=30] [SOAK=2000]     (SECONDS_PER_LEVEL=0: the soak only)
# Everything runs on 127.0.0.1 and is bounded: wrk runs SECONDS_PER_LEVEL per level, the server
# admits --max-queue 64 requests of at most 60 s of audio. The numbers go to stdout and to
# artifacts/load-test/results.md.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
seconds=${1:-30}
soak=${2:-2000}
port=${WAVEFLOW_LOAD_PORT:-18480}
model="$here/samples/model/waveflow-small.safetensors"
out="$here/artifacts/load-test"
work=$(mktemp -d)
server_pid=""
cleanup() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then kill -TERM "$server_pid"; wait "$server_pid" || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
need=()
command -v wrk >/dev/null 2>&1 || need+=(wrk)
command -v curl >/dev/null 2>&1 || need+=(curl)
command -v python3 >/dev/null 2>&1 || need+=(python3)
if [ ${#need[@]} -gt 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null; fi
mkdir -p "$out"
nice -n 10 dotnet build "$here/Cli" -c Release -v q -nologo >/dev/null
app="$here/Cli/bin/Release/net10.0/waveflow.dll"

# Bodies: the shipped mel WF002-0069 (308 frames, 3.58 s of audio), a 32-frame cut of it for the
# soak, the malformed bodies, and the mel four times over (1,232 frames, 14.3 s) for time to first byte.
read -r n_mel frames < <(python3 "$here/scripts/serve/mels.py" "$here/samples/mels/WF002-0069.mel.npy" "$work" 32)
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
audio_seconds=$(python3 -c "print(f'{$frames * 256 / 22050:.3f}')")

start_server() {   # $1: max batch
  dotnet "$app" serve --checkpoint "small=$model" --port "$port" --max-batch "$1" --max-queue 64 --max-seconds 60 --shutdown-seconds 10 >"$work/server.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 1 600); do
    curl -sf "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && return 0
    sleep 0.2
  done
  echo "server did not become ready:"; cat "$work/server.log"; exit 1
}
stop_server() {
  kill -TERM "$server_pid"
  local rc=0; wait "$server_pid" || rc=$?
  server_pid=""
  echo "  server stopped with SIGTERM: exit $rc"
}
peak_mb() { awk '/VmHWM/ {printf "%.0f", $2 / 1024}' "/proc/$server_pid/status"; }
rss_mb() { awk '/VmRSS/ {printf "%.0f", $2 / 1024}' "/proc/$server_pid/status"; }

{
  echo "# waveflow serve load test"
  echo
  echo "$(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "model: samples/model/waveflow-small.safetensors; body: WF002-0069.mel.npy ($frames frames, ${audio_seconds} s of audio); $seconds s per level"
  echo
  echo "| batching | concurrency | requests | req/s | audio s/s | p50 s | p95 s | p99 s | errors | load avg |"
  echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
} | tee "$out/results.md"
declare -A ttfb peak
levels=(8 1)
[ "$seconds" = 0 ] && levels=()
for batch in "${levels[@]}"; do
  start_server "$batch"
  label=$([ "$batch" = 1 ] && echo "off (--max-batch 1)" || echo "on (--max-batch 8)")
  for c in 1 4 16; do
    line=$(WAVEFLOW_BODY="$work/good.npy" wrk -t "$(( c < 2 ? c : 2 ))" -c "$c" -d "${seconds}s" --timeout 120s -s "$here/scripts/serve/report.lua" \
      "http://127.0.0.1:$port/v1/synthesize?seed=1" | grep '^RESULT')
    eval "$(echo "$line" | sed 's/^RESULT //')"
    rps=$(python3 -c "print(f'{$requests / $elapsed:.2f}')")
    aps=$(python3 -c "print(f'{$requests * $audio_seconds / $elapsed:.2f}')")
    echo "| $label | $c | $requests | $rps | $aps | $p50 | $p95 | $p99 | $errors | $(cut -d' ' -f1 /proc/loadavg) |" | tee -a "$out/results.md"
  done
  ttfb[$batch]=$(python3 "$here/scripts/serve/ttfb.py" 127.0.0.1 "$port" "/v1/synthesize?seed=1" "$work/long.npy")
  peak[$batch]=$(peak_mb)
  stop_server
done
{
  echo
  for batch in "${levels[@]}"; do
    read -r first total bytes status <<<"${ttfb[$batch]}"
    echo "- max batch $batch: one 1,232-frame mel (14.3 s of audio) on the idle server: first byte after $first s, whole after $total s (HTTP $status, $bytes bytes); peak memory (VmHWM) after the run: ${peak[$batch]} MB"
  done
} | tee -a "$out/results.md"

# Soak: one in ten requests malformed (seven kinds in turn: NaN, 40 channels, transposed, truncated, random bytes, unknown model, sigma NaN); every good one must be a 200 with the
# exact WAV size, every malformed one a 400; 5xx are counted. Memory is sampled every 10 %.
start_server 8
good_bytes=$((44 + 32 * 256 * 2))
python3 - "$port" "$work" "$soak" "$good_bytes" "$server_pid" <<'PY' | tee -a "$out/results.md"
import concurrent.futures, http.client, sys, time
port, work, total, good_bytes, pid = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
bodies = {k: open(f"{work}/{k}", "rb").read() for k in ["short.npy", "nan.npy", "channels40.npy", "transposed.npy", "truncated.npy", "garbage.bin"]}
bad = [("nan.npy", ""), ("channels40.npy", ""), ("transposed.npy", ""), ("truncated.npy", ""), ("garbage.bin", ""), ("short.npy", "&model=nope"), ("short.npy", "&sigma=NaN")]
def rss():
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS"): return int(line.split()[1]) // 1024
def one(i):
    malformed = i % 10 == 0
    name, extra = bad[(i // 10) % len(bad)] if malformed else ("short.npy", "")
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    conn.request("POST", f"/v1/synthesize?seed={i}{extra}", body=bodies[name], headers={"Content-Type": "application/octet-stream"})
    r = conn.getresponse(); data = r.read(); conn.close()
    ok = (r.status == 400 and data.startswith(b'{"error":')) if malformed else (r.status == 200 and len(data) == good_bytes and data[:4] == b"RIFF")
    return malformed, r.status, ok
start = time.time(); counts = {}; wrong = 0; fivexx = 0; samples = []
with concurrent.futures.ThreadPoolExecutor(8) as pool:
    done = 0
    for malformed, status, ok in pool.map(one, range(total)):
        done += 1
        counts[status] = counts.get(status, 0) + 1
        wrong += not ok; fivexx += status >= 500
        if done % (total // 10) == 0: samples.append(rss())
elapsed = time.time() - start
print()
print(f"- soak: {total} requests (8 at a time, {total // 10} malformed) in {elapsed:.0f} s ({total / elapsed:.1f} req/s); status counts {dict(sorted(counts.items()))}; "
      f"unintended 5xx: {fivexx}; responses not as expected (wrong status, size or body): {wrong}")
print(f"- soak memory (VmRSS, MB, every {total // 10} requests): {samples}")
PY
stop_server
