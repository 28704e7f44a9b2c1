# Source this on a machine with PyTorch (CUDA) but no .NET, after scripts/publish-gpu.sh:
#   source scripts/gpu-env.sh [PACK_DIR=.gpu]
# Unpacks the app to /tmp/waveflow-app (put on PATH as `waveflow`), points it at PyTorch's
# libtorch and, when the wheel has it, at PyTorch's NCCL (nvidia/nccl/lib) for --distributed nccl.
pack=${1:-.gpu}
mkdir -p /tmp/waveflow-app
tar -xJf "$pack/app.tar.xz" -C /tmp/waveflow-app || return 1
WAVEFLOW_TORCH_LIB=$(python3 -c "import torch,os;print(os.path.dirname(torch.__file__)+'/lib')")
export WAVEFLOW_TORCH_LIB
nccl_lib=$(python3 -c "import nvidia.nccl,os;print(os.path.join(list(nvidia.nccl.__path__)[0],'lib'))" 2>/dev/null)
export LD_LIBRARY_PATH="$WAVEFLOW_TORCH_LIB${nccl_lib:+:$nccl_lib}${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
export PATH="/tmp/waveflow-app:$PATH"
export DOTNET_gcServer=0
