#!/usr/bin/env python3
"""Exports NVIDIA's own WaveGlow (glow.py) to ONNX with PyTorch's exporter: the independent
graph that scripts/onnx-nvidia-parity.sh runs in WaveFlow's ONNX runtime next to WaveFlow's export.

    /usr/bin/python3 scripts/onnx-nvidia-export.py --waveglow DIR --checkpoint CK.pt \
        --metadata-from OURS.onnx -o NVIDIA.onnx

DIR is a checkout of NVIDIA/waveglow (its glow.py is imported, never copied); CK.pt one of its
checkpoints (torch.save of {'model': WaveGlow, ...}, as train.py writes them). glow.py's infer
is exported unchanged after NVIDIA's remove_weightnorm, with one substitution made while it runs:
infer draws its noise with torch.cuda.FloatTensor(...).normal_(), once for the remaining channels
and once per early output; here those draws return the matching channels of the input z (the
noise sigma*eps in WaveFlow's layout, early outputs first), so the noise is an input and the
graph is reproducible. The mixing inverses glow.py caches on first use are computed by one eager
run before tracing. The graph's length is fixed (--frames): PyTorch 1.13 cannot export glow.py's
`unfold` over a dynamic length ("ONNX export of operator Unfold, input size not accessible"). The metadata (model and mel configuration) is copied from WaveFlow's export of
the same checkpoint, which is what lets WaveFlow's runtime load the file.
Needs Debian's python3-torch (1.13: opset 17) and python3-onnx.
"""
import argparse
import sys

import onnx
import torch


class Draws:
    """Stands in for torch.cuda.FloatTensor inside infer: each construction + normal_() hands out the next slice of z."""

    def __init__(self, slices):
        self.slices = list(slices)

    def __call__(self, *size):
        return self

    def normal_(self):
        return self.slices.pop(0)


class InferWithNoise(torch.nn.Module):
    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, mel, z):
        m = self.model
        g, early = m.n_group, m.n_early_size
        end = g - m.n_remaining_channels
        slices = [z[:, end:, :]]                           # the first draw: the remaining channels
        for k in reversed(range(m.n_flows)):
            if k % m.n_early_every == 0 and k > 0:         # then one per early output, last flow first
                slices.append(z[:, end - early:end, :])
                end -= early
        saved = torch.cuda.FloatTensor
        torch.cuda.FloatTensor = Draws(slices)
        # infer returns `audio.data`, which the tracer sees as a tensor without inputs (a constant);
        # while it runs, .data is the tensor itself, so the output stays connected to mel and z.
        torch.Tensor.data = property(lambda t: t)
        try:
            return m.infer(mel, sigma=1.0)                 # z is already sigma * eps
        finally:
            del torch.Tensor.data
            torch.cuda.FloatTensor = saved


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--waveglow", required=True, help="checkout of NVIDIA/waveglow (glow.py)")
    ap.add_argument("--checkpoint", required=True)
    ap.add_argument("--metadata-from", required=True, help="WaveFlow's export of the same checkpoint")
    ap.add_argument("-o", "--out", required=True)
    ap.add_argument("--frames", type=int, required=True, help="mel frames of the graph (its length is fixed, see above)")
    args = ap.parse_args()

    sys.path.insert(0, args.waveglow)
    import glow  # noqa: F401  (torch.load needs glow.WaveGlow importable)

    checkpoint = torch.load(args.checkpoint, map_location="cpu")
    model = checkpoint["model"] if isinstance(checkpoint, dict) else checkpoint
    model = glow.WaveGlow.remove_weightnorm(model).float().eval()
    ours = onnx.load(args.metadata_from)
    n_mel = model.upsample.in_channels
    hop = model.upsample.stride[0]
    wrapper = InferWithNoise(model).eval()
    torch.manual_seed(0)
    mel = torch.randn(1, n_mel, args.frames)
    z = torch.randn(1, model.n_group, args.frames * hop // model.n_group)
    with torch.no_grad():
        wrapper(mel, z)                                    # caches each convinv's W_inverse
        torch.onnx.export(wrapper, (mel, z), args.out, opset_version=17,
                          input_names=["mel", "z"], output_names=["audio"])
    exported = onnx.load(args.out)
    del exported.metadata_props[:]
    for entry in ours.metadata_props:
        value = "torch.onnx.export of NVIDIA's glow.py" if entry.key == "source" else entry.value
        exported.metadata_props.add(key=entry.key, value=value)
    onnx.save(exported, args.out)
    print(f"wrote {args.out} (torch {torch.__version__}, opset 17, {len(exported.graph.node)} nodes)")


if __name__ == "__main__":
    main()
