"""A closed-loop load generator without dependencies (for machines without wrk): CONCURRENCY
threads POST the body to the URL for SECONDS; prints one JSON line: requests finished, requests/s,
p50/p95/p99 latency, statuses."""
import http.client, json, sys, threading, time, urllib.parse

url, body_file, concurrency, seconds = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
u = urllib.parse.urlsplit(url)
body = open(body_file, "rb").read()
latencies, statuses, lock = [], {}, threading.Lock()
stop = time.perf_counter() + seconds

def worker():
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=600)
    while time.perf_counter() < stop:
        t = time.perf_counter()
        conn.request("POST", u.path + "?" + u.query, body=body, headers={"Content-Type": "application/octet-stream"})
        r = conn.getresponse(); r.read()
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
