-- wrk script: POSTs the mel in $WAVEFLOW_BODY and prints one line of numbers when done.
local f = assert(io.open(os.getenv("WAVEFLOW_BODY"), "rb"))
wrk.method = "POST"
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = "application/octet-stream"

function done(summary, latency, requests)
  local bad = summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  io.write(string.format("RESULT requests=%d elapsed=%.2f errors=%d non2xx=%d p50=%.3f p95=%.3f p99=%.3f\n",
    summary.requests, summary.duration / 1e6, bad, summary.errors.status,
    latency:percentile(50) / 1e6, latency:percentile(95) / 1e6, latency:percentile(99) / 1e6))
end
