"""Writes the load test's request bodies from a shipped mel (.npy float32, [80, T]), without numpy:
good.npy (the whole mel), short.npy (its first FRAMES frames) and the malformed bodies of the soak:
nan.npy, channels40.npy, transposed.npy, truncated.npy, garbage.bin."""
import struct, sys, os

src, out, frames = sys.argv[1], sys.argv[2], int(sys.argv[3])
raw = open(src, "rb").read()
assert raw[:6] == b"\x93NUMPY"
hlen = struct.unpack("<H", raw[8:10])[0]
header = raw[10:10 + hlen].decode("latin1")
assert "'<f4'" in header and "False" in header, header
shape = tuple(int(x) for x in header.split("(")[1].split(")")[0].split(",") if x.strip())
n_mel, t = shape
data = struct.unpack("<%df" % (n_mel * t), raw[10 + hlen:])

def npy(path, values, shape):
    head = "{'descr': '<f4', 'fortran_order': False, 'shape': (%s), }" % ", ".join(str(s) for s in shape) + ("," if len(shape) == 1 else "")
    head = head + " " * ((-(10 + len(head) + 1)) % 64) + "\n"     # the header ends on a 64-byte boundary
    with open(path, "wb") as f:
        f.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(head)) + head.encode("latin1"))
        f.write(struct.pack("<%df" % len(values), *values))

def cut(n):
    return [data[c * t + i] for c in range(n_mel) for i in range(n)]

os.makedirs(out, exist_ok=True)
npy(f"{out}/good.npy", data, (n_mel, t))
short = cut(frames)
npy(f"{out}/short.npy", short, (n_mel, frames))
bad = list(short); bad[3 * frames + 5] = float("nan")
npy(f"{out}/nan.npy", bad, (n_mel, frames))
npy(f"{out}/channels40.npy", short[: 40 * frames], (40, frames))
npy(f"{out}/transposed.npy", short, (frames, n_mel))
whole = open(f"{out}/short.npy", "rb").read()
open(f"{out}/truncated.npy", "wb").write(whole[: len(whole) // 2])
open(f"{out}/garbage.bin", "wb").write(os.urandom(4096))
print(n_mel, t)
