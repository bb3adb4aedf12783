import DoodleKernels

// The AVX-512 set: 16-wide vectors in zmm registers, compiled with `-target-cpu skylake-avx512`
// (x86-64-v4, Package.swift), so it runs on any CPU with AVX-512 F, BW, CD, DQ and VL.

/// The vector the kernels compute with: one zmm register.
typealias Vector = SIMD16<Float>

/// What `DOODLE_ISA` calls this set.
let isaName = "avx512"

/// What the CPU must have: everything `-target-cpu skylake-avx512` may emit.
let isaRequirements = CPUFeatures.x86_64_v4

/// x · y + z, fused: one `vfmadd231ps`.
@inline(__always)
func multiplyAdd(_ x: Vector, _ y: Vector, _ z: Vector) -> Vector { z.addingProduct(x, y) }
