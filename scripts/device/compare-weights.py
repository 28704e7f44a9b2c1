"""Largest relative L2 difference between the tensors of two safetensors files (numpy only).

    python3 compare-weights.py A.safetensors B.safetensors   -> prints the number
"""
import json
import struct
import sys

import numpy as np

TYPES = {"F32": np.float32, "F16": np.float16, "F64": np.float64}


def load(path):
    data = open(path, "rb").read()
    n = struct.unpack("<Q", data[:8])[0]
    header = json.loads(data[8:8 + n])
    base = 8 + n
    out = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        start, end = entry["data_offsets"]
        out[name] = np.frombuffer(data[base + start:base + end], dtype=TYPES[entry["dtype"]]).astype(np.float64)
    return out


def main():
    a, b = load(sys.argv[1]), load(sys.argv[2])
    if sorted(a) != sorted(b):
        sys.exit(f"{sys.argv[1]} and {sys.argv[2]} hold different tensors")
    worst = 0.0
    for k in a:
        den = np.linalg.norm(b[k])
        diff = np.linalg.norm(a[k] - b[k])
        worst = max(worst, diff / den if den > 0 else diff)
    print(f"{worst:.3e}")


if __name__ == "__main__":
    main()
