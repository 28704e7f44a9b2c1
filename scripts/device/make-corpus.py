"""Writes a small LJSpeech-layout corpus of synthetic voiced speech (no downloads, numpy only).

Each clip: a glottal-like harmonic source with a gliding F0 (90-240 Hz), syllable-shaped
loudness, noise bursts between syllables, through three formant resonators whose frequencies
move per syllable. Enough structure to train on for a few hundred iterations.

    python3 make-corpus.py OUT_DIR [CLIPS=48] [SECONDS=2.5]
"""
import os
import sys
import wave

import numpy as np

RATE = 22050


def resonator(x, freq, bandwidth):
    r = np.exp(-np.pi * bandwidth / RATE)
    a1, a2 = -2 * r * np.cos(2 * np.pi * freq / RATE), r * r
    y = np.zeros_like(x)
    y1 = y2 = 0.0
    g = 1 - r
    for i, v in enumerate(x):
        y0 = g * v - a1 * y1 - a2 * y2
        y[i], y2, y1 = y0, y1, y0
    return y


def clip(rng, seconds):
    n = int(seconds * RATE)
    t = np.arange(n) / RATE
    f0 = rng.uniform(90, 240) * (1 + 0.15 * np.sin(2 * np.pi * rng.uniform(0.3, 1.2) * t + rng.uniform(0, 6)))
    phase = 2 * np.pi * np.cumsum(f0) / RATE
    source = sum(np.sin(k * phase) / k for k in range(1, 40))
    syllables = rng.integers(4, 9)
    bounds = np.sort(rng.uniform(0, seconds, syllables * 2))
    envelope = np.zeros(n)
    for a, b in zip(bounds[::2], bounds[1::2]):
        i, j = int(a * RATE), int(b * RATE)
        if j - i > 16:
            envelope[i:j] = np.hanning(j - i)
    noise = rng.standard_normal(n) * 0.05 * (envelope < 0.05)
    out = np.zeros(n)
    for f, bw in ((rng.uniform(300, 900), 80), (rng.uniform(900, 2400), 120), (rng.uniform(2400, 3400), 160)):
        out += resonator(source * envelope + noise, f, bw)
    out /= np.max(np.abs(out)) + 1e-9
    return (out * 0.6 * 32767).astype(np.int16)


def main():
    target = sys.argv[1]
    clips = int(sys.argv[2]) if len(sys.argv) > 2 else 48
    seconds = float(sys.argv[3]) if len(sys.argv) > 3 else 2.5
    os.makedirs(os.path.join(target, "wavs"), exist_ok=True)
    rng = np.random.default_rng(1234)
    lines = []
    for k in range(clips):
        name = f"SY001-{k:04d}"
        with wave.open(os.path.join(target, "wavs", name + ".wav"), "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(RATE)
            w.writeframes(clip(rng, seconds).tobytes())
        lines.append(f"{name}|synthetic clip {k}|synthetic clip {k}")
    with open(os.path.join(target, "metadata.csv"), "w") as f:
        f.write("\n".join(lines) + "\n")
    print(f"{clips} clips of {seconds} s in {target}")


if __name__ == "__main__":
    main()
