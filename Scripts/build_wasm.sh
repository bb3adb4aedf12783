#!/usr/bin/env bash
# Builds the page's WebAssembly kernels: Sources/DoodleServer/Wasm/kernels.c -> Resources/kernels.wasm.
#
#   Scripts/build_wasm.sh [OUTPUT]      (default: Sources/DoodleServer/Resources/kernels.wasm)
#
# Uses the clang and wasm-ld of the Swift toolchain (or $CLANG): no libc, no runtime, SIMD128. The
# output is deterministic; the tests rebuild it and check that the committed file is up to date.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-Sources/DoodleServer/Resources/kernels.wasm}
clang=${CLANG:-$(command -v clang)}
"$clang" --target=wasm32 -O3 -msimd128 -nostdlib -fno-builtin -ffp-contract=off \
    -Wall -Wextra -Werror \
    -Wl,--no-entry -Wl,-z,stack-size=16384 -Wl,--export=__heap_base -Wl,--import-memory -Wl,--strip-all \
    -o "$out" Sources/DoodleServer/Wasm/kernels.c
