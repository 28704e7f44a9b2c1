#!/usr/bin/env bash
# Mixed-precision training on a GPU: the CUDA tests (bf16/fp16 gradients against fp32, fp16
# loss-scale overflow), in-place and phase-folded synthesis against the plain forward on CUDA, and the
# training-step time of NVIDIA's config in fp32, bf16 and fp16.
# Run on a machine with a GPU from the repository root, after `dotnet build Tests -c Release`.
set -euo pipefail
dotnet test Tests -c Release --no-build --filter "FullyQualifiedName~MixedPrecisionCudaTests|FullyQualifiedName~InPlaceEqualsPlainForwardOnCuda|FullyQualifiedName~FoldedEqualsUnfoldedOnCuda" --logger "console;verbosity=normal"
waveflow=${WAVEFLOW:-Cli/bin/Release/net10.0/waveflow}
for precision in "" --bf16 --fp16; do
  "$waveflow" bench --device cuda --config configs/waveglow-ljspeech.json --train-only --repeats 5 $precision
done
