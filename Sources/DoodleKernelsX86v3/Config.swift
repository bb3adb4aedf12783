import DoodleKernels

// The AVX2 + FMA set: 8-wide vectors in ymm registers, compiled with `-target-cpu haswell`
// (x86-64-v3, Package.swift).

/// The vector the kernels compute with: one ymm register.
typealias Vector = SIMD8<Float>

/// What `DOODLE_ISA` calls this set.
let isaName = "avx2"

/// What the CPU must have: everything `-target-cpu haswell` may emit.
let isaRequirements = CPUFeatures.x86_64_v3

/// x · y + z, fused: one `vfmadd231ps`.
@inline(__always)
func multiplyAdd(_ x: Vector, _ y: Vector, _ z: Vector) -> Vector { z.addingProduct(x, y) }
