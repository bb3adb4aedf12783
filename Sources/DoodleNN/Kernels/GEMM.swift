/// Single-precision matrix multiplication, the engine's hot loop.
///
/// `C (m, n) = op(A) (m, k) · op(B) (k, n)`, plus `C` itself when `accumulate`, plus `bias[j]` on every
/// row when given, then ReLU when asked. Any layout of A and B is described by strides: element
/// (i, p) of A is at `a[i * aRowStride + p * aColStride]`, element (p, j) of B at
/// `b[p * bRowStride + j * bColStride]`. C is row-major with leading dimension `ldc`.
public enum GEMM {
    /// The fast kernel: packed, SIMD, multithreaded over `doodleThreadCount` threads.
    ///
    /// A (m, k) · B (k, n) -> C (m, n). BLIS-style: B is packed into 16-column panels per
    /// (`kc` × `nc`) block, A is read in place when its rows are contiguous (else packed into 6-row
    /// panels), and a 6 × 16 register-blocked micro-kernel applies bias and ReLU as it stores.
    /// Threads take disjoint row ranges (tall problems) or column ranges (wide ones); problems too
    /// small to pay for a dispatch run on the calling thread.
    public static func multiply(
        m: Int, n: Int, k: Int,
        a: UnsafePointer<Float>, aRowStride: Int, aColStride: Int,
        b: UnsafePointer<Float>, bRowStride: Int, bColStride: Int,
        c: UnsafeMutablePointer<Float>, ldc: Int,
        accumulate: Bool = false, bias: UnsafePointer<Float>? = nil, relu: Bool = false
    ) {
        precondition(m >= 0 && n >= 0 && k >= 0, "GEMM: negative size \(m)×\(n)×\(k)")
        precondition(m <= 1 || ldc >= n, "GEMM: ldc \(ldc) < n \(n)")
        if m == 0 || n == 0 { return }
        let problem = Problem(
            k: k, a: a, aRowStride: aRowStride, aColStride: aColStride,
            b: b, bRowStride: bRowStride, bColStride: bColStride, c: c, ldc: ldc,
            accumulate: accumulate, bias: bias, relu: relu)
        if k == 0 {
            problem.epilogueOnly(rows: 0..<m, cols: 0..<n)
            return
        }
        let threads = threadCount(m: m, n: n, k: k)
        if m == 1 && problem.vectorFriendly {
            let shared = SendableProblem(problem)
            parallelFor(threads) { t in
                let cols = panelRange(t, of: threads, count: n, panel: 8)
                if !cols.isEmpty { shared.problem.rowTimesMatrix(cols: cols) }
            }
            return
        }
        if threads <= 1 {
            problem.run(rows: 0..<m, cols: 0..<n)
            return
        }
        // Split rows when the problem is tall (convolutions), columns when it is wide (linear
        // layers): splitting columns means no thread re-packs another's part of B.
        let splitRows = m >= 4 * n || (n + nr - 1) / nr < threads
        let shared = SendableProblem(problem)
        parallelFor(threads) { t in
            if splitRows {
                let rows = panelRange(t, of: threads, count: m, panel: mr)
                if !rows.isEmpty { shared.problem.run(rows: rows, cols: 0..<n) }
            } else {
                let cols = panelRange(t, of: threads, count: n, panel: nr)
                if !cols.isEmpty { shared.problem.run(rows: 0..<m, cols: cols) }
            }
        }
    }

    /// How many threads a problem of `m × n × k` multiply-adds is worth.
    static func threadCount(m: Int, n: Int, k: Int) -> Int {
        let work = m * n * k
        // About 20 µs of single-core work per extra thread keeps the dispatch cost small.
        let worthwhile = max(1, work / (1 << 17))
        return min(doodleThreadCount, worthwhile, max((m + mr - 1) / mr, (n + nr - 1) / nr))
    }

    /// Thread `t`'s share of `count` items, split on `panel` boundaries.
    static func panelRange(_ t: Int, of threads: Int, count: Int, panel: Int) -> Range<Int> {
        let panels = (count + panel - 1) / panel
        let start = min(count, panels * t / threads * panel)
        let end = min(count, panels * (t + 1) / threads * panel)
        return start..<end
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
