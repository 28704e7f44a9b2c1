#!/usr/bin/python3
"""Side-by-side timing of WaveFlow and NVIDIA's glow.py on PyTorch, interleaved in one run.

Driven by scripts/bench-vs-pytorch.sh (which installs Debian's python3-torch and builds WaveFlow).
glow.py is imported from the NVIDIA/waveglow clone given on the command line; nothing of it is
copied. For every case and round, PyTorch runs first, then WaveFlow, each in a fresh process
with one untimed warm-up and one timed run, so both see the same machine load; the medians over
rounds are compared. Load averages are printed next to every number because a shared machine
moves absolute times.

  bench_vs_pytorch.py --waveglow DIR --waveflow CMD [--rounds 3] [--threads 2] [--cases ...]
  bench_vs_pytorch.py torch-case --waveglow DIR --config C --kind synth|train ...   (one timing)
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# name: (config, kind, audio seconds for synthesis / (batch, segment) for training)
CASES = {
    "synth-small-10s": ("configs/waveflow-small.json", "synth", 10.0),
    "synth-nvidia-2s": ("configs/waveglow-ljspeech.json", "synth", 2.0),
    "synth-nvidia-10s": ("configs/waveglow-ljspeech.json", "synth", 10.0),
    "train-small": ("configs/waveflow-small.json", "train", (12, 16000)),
}


def load_config(path):
    with open(os.path.join(REPO, path)) as f:
        c = json.load(f)
    w = c["waveglow_config"]
    # NVIDIA's constructor takes these keys only (our configs may add variant switches).
    keys = ["n_mel_channels", "n_flows", "n_group", "n_early_every", "n_early_size", "WN_config"]
    return {k: w[k] for k in keys}, c.get("data_config", {})


def torch_case(args):
    """Runs one PyTorch timing in this process and prints a JSON line."""
    import torch
    torch.set_num_threads(args.threads)
    sys.path.insert(0, args.waveglow)
    import glow  # NVIDIA's file, from the clone
    # glow.py's infer draws its noise with torch.cuda.FloatTensor; on the CPU use the CPU
    # factory (same signature, same .normal_()).
    torch.cuda.FloatTensor = torch.FloatTensor
    wcfg, data = load_config(args.config)
    hop = data.get("hop_length", 256)
    rate = data.get("sampling_rate", 22050)
    torch.manual_seed(1234)
    model = glow.WaveGlow(**wcfg)
    with torch.no_grad():
        # Random, non-identity couplings (a fresh WaveGlow's `end` layers are zero).
        for wn in model.WN:
            wn.end.weight.normal_(0, 0.02)
    if args.kind == "synth":
        model = glow.WaveGlow.remove_weightnorm(model)
        model.eval()
        frames = max(1, round(args.seconds * rate / hop))
        mel = torch.randn(1, wcfg["n_mel_channels"], frames) - 5.0

        def once():
            with torch.no_grad():
                model.infer(mel, sigma=0.6)
    else:
        model.train()
        batch, segment = args.batch, args.segment
        opt = torch.optim.Adam(model.parameters(), lr=1e-4)
        loss_fn = glow.WaveGlowLoss(sigma=1.0)
        audio = torch.rand(batch, segment) - 0.5
        mel = torch.randn(batch, wcfg["n_mel_channels"], segment // hop + 1) - 5.0

        def once():
            opt.zero_grad()
            loss = loss_fn(model((mel, audio)))
            loss.backward()
            opt.step()
    for _ in range(args.warmup):
        once()                               # warm-up (allocator, oneDNN primitive choice)
    start, cpu = time.perf_counter(), time.process_time()
    once()
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    print(json.dumps({"seconds": seconds, "cpu": cpu, "torch": torch.__version__, "threads": torch.get_num_threads()}))


def load():
    return "%.2f %.2f %.2f" % os.getloadavg()


def run_torch(args, case):
    config, kind, size = CASES[case]
    cmd = [sys.executable, os.path.abspath(__file__), "torch-case", "--waveglow", args.waveglow,
           "--config", config, "--kind", kind, "--threads", str(args.threads), "--warmup", str(args.warmup)]
    cmd += ["--seconds", str(size)] if kind == "synth" else ["--batch", str(size[0]), "--segment", str(size[1])]
    # WaveFlow sets OMP_WAIT_POLICY=PASSIVE for itself (idle OpenMP threads sleep instead of
    # spinning); PyTorch gets the same unless --torch-omp-default, so that a loaded machine does
    # not penalise one side's spinning threads.
    env = dict(os.environ)
    if not args.torch_omp_default:
        env.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    out = subprocess.run(cmd, check=True, capture_output=True, text=True, cwd=REPO, env=env).stdout
    r = json.loads(out.strip().splitlines()[-1])
    return r["seconds"], r["cpu"]


def run_waveflow(args, case, precision):
    config, kind, size = CASES[case]
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "bench.json")
        cmd = args.waveflow.split() + ["bench", "--config", config, "--threads", str(args.threads),
                                       "--warmup", str(args.warmup), "--repeats", "1", "--json", out]
        if precision != "fp32":
            cmd.append("--" + precision)
        cmd += ["--seconds", str(size)] if kind == "synth" else ["--train-only", "--batch", str(size[0]), "--segment", str(size[1])]
        subprocess.run(cmd, check=True, capture_output=True, text=True, cwd=REPO)
        with open(out) as f:
            rows = json.load(f)["Rows"]
        row = next(r for r in rows if r["Case"].startswith("synthesis" if kind == "synth" else "train step"))
        return row["MedianMs"] / 1000, row["MedianCpuMs"] / 1000


def driver(args):
    print(f"# {time.strftime('%Y-%m-%d %H:%M:%S %Z')}, {os.cpu_count()} CPUs, {args.threads} threads, "
          f"{args.rounds} rounds, {args.warmup} warm-up run(s), interleaved PyTorch then WaveFlow; load = 1/5/15-min load averages; "
          f"PyTorch OMP_WAIT_POLICY={'default' if args.torch_omp_default else os.environ.get('OMP_WAIT_POLICY', 'PASSIVE')}")
    print(f"# wall s (process CPU s, all threads) of one timed run after {args.warmup} warm-up run(s), each in a fresh process")
    print("| case | round | PyTorch | " + " | ".join(f"WaveFlow {p}" for p in args.precisions) + " | load |")
    summary = []
    for case in args.cases:
        times = {"torch": []} | {p: [] for p in args.precisions}
        for r in range(1, args.rounds + 1):
            times["torch"].append(run_torch(args, case))
            for p in args.precisions:
                times[p].append(run_waveflow(args, case, p))
            cells = " | ".join(f"{times[k][-1][0]:.2f} ({times[k][-1][1]:.2f})" for k in ["torch"] + args.precisions)
            print(f"| {case} | {r} | {cells} | {load()} |", flush=True)
        med = {k: (statistics.median(t[0] for t in v), statistics.median(t[1] for t in v)) for k, v in times.items()}
        summary.append((case, med))
    print()
    print("| case | PyTorch median wall (CPU) s | " + " | ".join(f"WaveFlow {p} median wall (CPU) s | ahead by, wall (CPU)" for p in args.precisions) + " |")
    for case, med in summary:
        t = med["torch"]
        cells = " | ".join(f"{med[p][0]:.2f} ({med[p][1]:.2f}) | {t[0] / med[p][0]:.2f}× ({t[1] / med[p][1]:.2f}×)" for p in args.precisions)
        print(f"| {case} | {t[0]:.2f} ({t[1]:.2f}) | {cells} |")
    print(f"# load after: {load()}")


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "torch-case":
        p = argparse.ArgumentParser()
        p.add_argument("mode")
        p.add_argument("--waveglow", required=True)
        p.add_argument("--config", required=True)
        p.add_argument("--kind", choices=["synth", "train"], required=True)
        p.add_argument("--threads", type=int, default=2)
        p.add_argument("--seconds", type=float, default=2.0)
        p.add_argument("--batch", type=int, default=12)
        p.add_argument("--segment", type=int, default=16000)
        p.add_argument("--warmup", type=int, default=1)
        torch_case(p.parse_args())
        return
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--waveglow", required=True, help="a local clone of NVIDIA/waveglow (glow.py is imported from it)")
    p.add_argument("--waveflow", required=True, help="command that runs the waveflow CLI")
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--cases", nargs="+", default=["synth-small-10s", "synth-nvidia-2s", "train-small"], choices=list(CASES))
    p.add_argument("--warmup", type=int, default=1,
                   help="untimed runs before the timed one, in each process (0 for long cases: first-call costs are milliseconds, a run is minutes)")
    p.add_argument("--torch-omp-default", action="store_true",
                   help="leave PyTorch's OpenMP wait policy at its default (spinning) instead of PASSIVE")
    p.add_argument("--precisions", nargs="+", default=["fp32"], choices=["fp32", "bf16"],
                   help="WaveFlow precisions to time against PyTorch's fp32")
    args = p.parse_args()
    if not os.path.isfile(os.path.join(args.waveglow, "glow.py")):
        sys.exit(f"{args.waveglow}: no glow.py here (give a clone of NVIDIA/waveglow)")
    driver(args)


if __name__ == "__main__":
    main()
