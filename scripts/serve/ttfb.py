"""Time to first byte and total time of one POST /v1/synthesize: prints 'ttfb total bytes status'."""
import http.client, sys, time

host, port, path, body_file = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
body = open(body_file, "rb").read()
conn = http.client.HTTPConnection(host, port, timeout=600)
start = time.perf_counter()
conn.request("POST", path, body=body, headers={"Content-Type": "application/octet-stream"})
response = conn.getresponse()       # the headers go out with the first chunk of audio
first = response.read(1)
ttfb = time.perf_counter() - start
rest = response.read()
total = time.perf_counter() - start
print(f"{ttfb:.3f} {total:.3f} {len(first) + len(rest)} {response.status}")
