# Source this on a machine with PyTorch (CUDA) but no .NET, after scripts/publish-gpu.sh:
#   source scripts/gpu-env.sh [PACK_DIR=.gpu]
# Unpacks the app to /tmp/waveflow-app and points it at PyTorch's libtorch.
pack=${1:-.gpu}
mkdir -p /tmp/waveflow-app
tar -xJf "$pack/app.tar.xz" -C /tmp/waveflow-app
WAVEFLOW_TORCH_LIB=$(python3 -c "import torch,os;print(os.path.dirname(torch.__file__)+'/lib')")
export WAVEFLOW_TORCH_LIB
export LD_LIBRARY_PATH="$WAVEFLOW_TORCH_LIB${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
export DOTNET_gcServer=0
waveflow() { /tmp/waveflow-app/waveflow "$@"; }
