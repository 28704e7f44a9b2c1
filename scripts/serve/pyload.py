"""A closed-loop load generator without dependencies (for machines without wrk): CONCURRENCY
threads POST the body to the URL for SECONDS; prints one JSON line: requests finished, requests/s,
p50/p95/p99 latency, statuses."""
import http.client, json, os, sys, threading, time, urllib.parse

url, body_file, concurrency, seconds = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
u = urllib.parse.urlsplit(url)
body = open(body_file, "rb").read()
latencies, statuses, lock = [], {}, threading.Lock()
counter = iter(range(1 << 62))   # "{i}" in the URL becomes 0, 1, 2, ... (e.g. seed={i}: a new seed per request)
stop = time.perf_counter() + seconds

def worker():
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=600)
    while time.perf_counter() < stop:
        t = time.perf_counter()
        with lock: i = next(counter)
        conn.request("POST", u.path + "?" + u.query.replace("%7Bi%7D", str(i)).replace("{i}", str(i)), body=body, headers={"Content-Type": "application/octet-stream"})
        r = conn.getresponse(); r.read()
        if os.environ.get("PYLOAD_NEW_CONNECTION"):   # a new TCP connection per request (as a soak of many clients)
            conn.close(); conn = http.client.HTTPConnection(u.hostname, u.port, timeout=600)
        with lock:
            if time.perf_counter() <= stop: latencies.append(time.perf_counter() - t)
            statuses[r.status] = statuses.get(r.status, 0) + 1

start = time.perf_counter()
threads = [threading.Thread(target=worker) for _ in range(concurrency)]
for th in threads: th.start()
for th in threads: th.join()
latencies.sort()
pct = lambda p: latencies[min(len(latencies) - 1, int(p / 100 * len(latencies)))] if latencies else float("nan")
print(json.dumps({"concurrency": concurrency, "requests": len(latencies), "rps": round(len(latencies) / seconds, 2),
                  "p50": round(pct(50), 4), "p95": round(pct(95), 4), "p99": round(pct(99), 4), "statuses": statuses}))
