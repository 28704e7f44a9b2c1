#!/usr/bin/env python3
"""Independent check of WaveFlow ONNX exports with the ONNX project's own checker.

    /usr/bin/python3 scripts/onnx-check.py [--fixed-length] MODEL.onnx [MODEL2.onnx ...]

For each file: onnx.checker.check_model(full_check=True) (the schema of every node, then strict
shape inference over the whole graph), and the contract the WaveFlow.Onnx runtime relies on:
opset >= 17, inputs mel (batch, n_mel, frames) and z (batch, n_group, steps) and output audio
(batch, samples), all float32, with the time axes dynamic (fixed allowed with --fixed-length,
for graphs traced at one length such as PyTorch's export of NVIDIA's glow.py), and WaveFlow's metadata (format,
version, configuration) present. Prints one line per file; exits 1 if any file fails.
Needs Debian's python3-onnx (apt-get install python3-onnx).
"""
import json
import sys

import onnx

FLOAT = onnx.TensorProto.FLOAT
REQUIRED_METADATA = ["format", "version", "waveglow_config", "mel_config", "precision", "context_frames", "step"]


def dims(value_info):
    return [d.dim_param if d.HasField("dim_param") else d.dim_value for d in value_info.type.tensor_type.shape.dim]


def check(path, fixed_length=False):
    model = onnx.load(path)
    onnx.checker.check_model(model, full_check=True)
    opset = max(o.version for o in model.opset_import if o.domain in ("", "ai.onnx"))
    if opset < 17:
        raise ValueError(f"opset {opset} < 17")
    meta = {p.key: p.value for p in model.metadata_props}
    missing = [k for k in REQUIRED_METADATA if k not in meta]
    if missing:
        raise ValueError(f"metadata lacks {missing}")
    if meta["format"] != "waveflow-onnx":
        raise ValueError(f"metadata format {meta['format']!r}")
    config = json.loads(meta["waveglow_config"])
    mel = json.loads(meta["mel_config"])
    inputs = {i.name: i for i in model.graph.input}
    outputs = {o.name: o for o in model.graph.output}
    if sorted(inputs) != ["mel", "z"] or list(outputs) != ["audio"]:
        raise ValueError(f"inputs {sorted(inputs)}, outputs {list(outputs)}")
    for name, vi in list(inputs.items()) + list(outputs.items()):
        if vi.type.tensor_type.elem_type != FLOAT:
            raise ValueError(f"{name} is not float32")
    mel_dims, z_dims, audio_dims = dims(inputs["mel"]), dims(inputs["z"]), dims(outputs["audio"])
    if mel_dims[1] != config["n_mel_channels"] or z_dims[1] != config["n_group"]:
        raise ValueError(f"mel {mel_dims} / z {z_dims} disagree with the config")
    if not fixed_length and not all(isinstance(d, str) for d in (mel_dims[2], z_dims[2], audio_dims[1])):
        raise ValueError(f"time axes are not dynamic: mel {mel_dims}, z {z_dims}, audio {audio_dims}")
    initializers = sum(1 for _ in model.graph.initializer)
    return (f"{path}: ok (onnx {onnx.__version__} full check, IR {model.ir_version}, opset {opset}, "
            f"{len(model.graph.node)} nodes, {initializers} initializers, {meta['precision']}, "
            f"n_mel {config['n_mel_channels']}, n_group {config['n_group']}, hop {mel['hop_length']})")


def main(args):
    fixed_length = "--fixed-length" in args
    paths = [a for a in args if a != "--fixed-length"]
    if not paths:
        print("usage: " + __doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    failed = 0
    for path in paths:
        try:
            print(check(path, fixed_length))
        except Exception as e:  # one line per failing file, then the exit code
            print(f"{path}: FAILED: {type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}")
            failed += 1
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
