/// Single-precision matrix multiplication, the engine's hot loop.
///
/// `C (m, n) = op(A) (m, k) · op(B) (k, n)`, plus `C` itself when `accumulate`, plus `bias[j]` on every
/// row when given, then ReLU when asked. Any layout of A and B is described by strides: element
/// (i, p) of A is at `a[i * aRowStride + p * aColStride]`, element (p, j) of B at
/// `b[p * bRowStride + j * bColStride]`. C is row-major with leading dimension `ldc`.
public enum GEMM {
    /// The fast kernel of a kernel set (by default the one this CPU runs best): packed, SIMD,
    /// multithreaded over `kernelThreadCount` threads.
    public static func multiply(
        m: Int, n: Int, k: Int,
        a: UnsafePointer<Float>, aRowStride: Int, aColStride: Int,
        b: UnsafePointer<Float>, bRowStride: Int, bColStride: Int,
        c: UnsafeMutablePointer<Float>, ldc: Int,
        accumulate: Bool = false, bias: UnsafePointer<Float>? = nil, relu: Bool = false,
        kernels: KernelSet = .current
    ) {
        kernels.multiply(
            MatrixProduct(
                m: m, n: n, k: k, a: a, aRowStride: aRowStride, aColStride: aColStride, b: b,
                bRowStride: bRowStride, bColStride: bColStride, c: c, ldc: ldc, accumulate: accumulate,
                bias: bias, relu: relu))
    }

    /// The plain, obviously correct kernel the fast ones are tested against.
    public static func reference(
        m: Int, n: Int, k: Int,
        a: UnsafePointer<Float>, aRowStride: Int, aColStride: Int,
        b: UnsafePointer<Float>, bRowStride: Int, bColStride: Int,
        c: UnsafeMutablePointer<Float>, ldc: Int,
        accumulate: Bool = false, bias: UnsafePointer<Float>? = nil, relu: Bool = false
    ) {
        for i in 0..<m {
            for j in 0..<n {
                var sum: Float = accumulate ? c[i * ldc + j] : 0
                for p in 0..<k {
                    sum += a[i * aRowStride + p * aColStride] * b[p * bRowStride + j * bColStride]
                }
                if let bias { sum += bias[j] }
                if relu { sum = max(sum, 0) }
                c[i * ldc + j] = sum
            }
        }
    }
}

extension GEMM {
    /// A B matrix packed once, for products that reuse it: an inference network's weights.
    ///
    /// The layout is the one the kernel set's `multiply` packs B into block by block, so it belongs
    /// to the set that packed it, and products with it run that set.
    public struct PackedB: Sendable {
        /// Depth and width of B.
        public let k, n: Int
        /// The set whose layout this is.
        public let kernels: KernelSet
        let storage: AlignedFloats

        /// Packs B (k, n), element (p, j) at `b[p * bRowStride + j * bColStride]`, for `kernels`.
        public init(
            k: Int, n: Int, b: UnsafePointer<Float>, bRowStride: Int, bColStride: Int,
            kernels: KernelSet = .current
        ) {
            precondition(k > 0 && n > 0, "PackedB: empty \(k)×\(n)")
            (self.k, self.n, self.kernels) = (k, n, kernels)
            storage = AlignedFloats(count: kernels.packedCount(k, n))
            kernels.packB(k, n, b, bRowStride, bColStride, storage.base)
        }

        /// The packed floats, valid while `self` is.
        var base: UnsafePointer<Float> { UnsafePointer(storage.base) }
    }

    /// `multiply` with B packed beforehand, by `packedB`'s kernel set: A (m, k) · B (k, n) -> C (m, n),
    /// plus bias, then ReLU.
    public static func multiply(
        m: Int, a: UnsafePointer<Float>, aRowStride: Int, aColStride: Int, packedB: PackedB,
        c: UnsafeMutablePointer<Float>, ldc: Int, bias: UnsafePointer<Float>? = nil, relu: Bool = false
    ) {
        withExtendedLifetime(packedB) {
            packedB.kernels.multiplyPacked(
                MatrixProduct(
                    m: m, n: packedB.n, k: packedB.k, a: a, aRowStride: aRowStride, aColStride: aColStride,
                    b: packedB.base, bRowStride: 0, bColStride: 0, c: c, ldc: ldc, accumulate: false,
                    bias: bias, relu: relu))
        }
    }
}

/// Floats on a 64-byte boundary, so that a kernel's vector loads never split a cache line; written
/// once, when made, and read-only after, which is why it may be shared between threads.
final class AlignedFloats: @unchecked Sendable {
    let base: UnsafeMutablePointer<Float>
    let count: Int

    init(count: Int) {
        self.count = count
        base = UnsafeMutableRawPointer.allocate(
            byteCount: max(1, count) * MemoryLayout<Float>.stride, alignment: 64
        )
        .bindMemory(to: Float.self, capacity: count)
    }

    deinit { base.deallocate() }
}
