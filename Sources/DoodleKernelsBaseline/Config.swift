import DoodleKernels

// The portable set: 4-wide vectors, the width every 64-bit CPU has (SSE2 on x86_64, NEON on arm64),
// compiled with no CPU flag. It runs anywhere, and is what arm64 gets.

/// The vector the kernels compute with: one xmm (x86_64) or q (arm64) register.
typealias Vector = SIMD4<Float>

/// What `DOODLE_ISA` calls this set.
let isaName = "baseline"

/// What the CPU must have: nothing beyond the architecture.
let isaRequirements: CPUFeatures = []

/// x · y + z. Fused on arm64, where every CPU has `fmla`; a multiply then an add on x86_64, where
/// SSE2 has no fused multiply-add and a fused one would be a call to `fmaf` per lane.
@inline(__always)
func multiplyAdd(_ x: Vector, _ y: Vector, _ z: Vector) -> Vector {
    #if arch(arm64)
        z.addingProduct(x, y)
    #else
        x * y + z
    #endif
}
