"""Largest absolute difference between two float32 WAV files (44- or 58-byte headers as waveflow writes them)."""
import struct, sys

def samples(path):
    raw = open(path, "rb").read()
    at = raw.index(b"data") + 8
    return struct.unpack("<%df" % ((len(raw) - at) // 4), raw[at:at + (len(raw) - at) // 4 * 4])

a, b = samples(sys.argv[1]), samples(sys.argv[2])
assert len(a) == len(b), (len(a), len(b))
print(max(abs(x - y) for x, y in zip(a, b)))
