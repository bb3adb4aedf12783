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
        let shared = SendableProblem(problem)
        if m == 1 && problem.vectorFriendly {
            let chunks = threads <= 1 ? 1 : min((n + 7) / 8, 4 * threads)
            parallelFor(chunks) { t in
                let cols = panelRange(t, of: chunks, count: n, panel: 8)
                if !cols.isEmpty { shared.problem.rowTimesMatrix(cols: cols) }
            }
            return
        }
        run(problem, m: m, n: n, threads: threads)
    }

    /// Runs `problem` over C (m, n) on up to `threads` threads.
    static func run(_ problem: Problem, m: Int, n: Int, threads: Int) {
        if threads <= 1 {
            problem.run(rows: 0..<m, cols: 0..<n)
            return
        }
        let shared = SendableProblem(problem)
        // Split rows when the problem is tall (convolutions), columns when it is wide (linear
        // layers): splitting columns means no thread re-packs another's part of B. Several chunks
        // per thread let a thread that got its core first take over one that did not; row chunks
        // stay at least ~100 rows tall, as each re-packs all of B.
        let splitRows = m >= 4 * n || (n + nr - 1) / nr < threads
        let chunks =
            splitRows
            ? threads * max(1, min(4, m / (threads * 96)))
            : min((n + nr - 1) / nr, 4 * threads)
        parallelFor(chunks) { t in
            if splitRows {
                let rows = panelRange(t, of: chunks, count: m, panel: mr)
                if !rows.isEmpty { shared.problem.run(rows: rows, cols: 0..<n) }
            } else {
                let cols = panelRange(t, of: chunks, count: n, panel: nr)
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

extension GEMM {
    /// A B matrix packed once, for products that reuse it: an inference network's weights.
    ///
    /// The layout is the one `multiply` packs B into block by block: for each depth block, each
    /// 16-column panel, `kc × 16` row-major, zero-padded past `n`. A product with it skips packing.
    public struct PackedB: Sendable {
        /// Depth and width of B.
        public let k, n: Int
        let storage: [Float]

        /// Packs B (k, n), element (p, j) at `b[p * bRowStride + j * bColStride]`.
        public init(k: Int, n: Int, b: UnsafePointer<Float>, bRowStride: Int, bColStride: Int) {
            precondition(k > 0 && n > 0, "PackedB: empty \(k)×\(n)")
            self.k = k
            self.n = n
            let width = (n + nr - 1) / nr * nr
            // A problem around B alone: packB reads only b and its strides; A and C are never touched.
            let problem = Problem(
                k: k, a: b, aRowStride: 0, aColStride: 0, b: b, bRowStride: bRowStride,
                bColStride: bColStride, c: UnsafeMutablePointer(mutating: b), ldc: n, accumulate: false,
                bias: nil, relu: false)
            let (kc, _) = depthBlocks(k)
            storage = [Float](unsafeUninitializedCapacity: k * width) { buffer, count in
                var pc = 0
                while pc < k {
                    let depth = pc..<min(k, pc + kc)
                    problem.packB(into: buffer.baseAddress! + pc * width, depth: depth, cols: 0..<n)
                    pc = depth.upperBound
                }
                count = k * width
            }
        }
    }

    /// The depth of each block of a product of depth `k`: equal blocks of at most `kcMax`, so that
    /// k = 288 is one block and 576 two of 288.
    static func depthBlocks(_ k: Int) -> (depth: Int, count: Int) {
        let count = (k + kcMax - 1) / kcMax
        return ((k + count - 1) / count, count)
    }

    /// `multiply` with B packed beforehand: A (m, k) · B (k, n) -> C (m, n), plus bias, then ReLU.
    public static func multiply(
        m: Int, a: UnsafePointer<Float>, aRowStride: Int, aColStride: Int, packedB: PackedB,
        c: UnsafeMutablePointer<Float>, ldc: Int, bias: UnsafePointer<Float>? = nil, relu: Bool = false
    ) {
        let (n, k) = (packedB.n, packedB.k)
        precondition(m >= 0 && (m <= 1 || ldc >= n), "GEMM: m \(m), ldc \(ldc) < n \(n)")
        if m == 0 { return }
        packedB.storage.withUnsafeBufferPointer { packed in
            var problem = Problem(
                k: k, a: a, aRowStride: aRowStride, aColStride: aColStride, b: packed.baseAddress!,
                bRowStride: 0, bColStride: 0, c: c, ldc: ldc, accumulate: false, bias: bias, relu: relu)
            problem.prepackedB = packed.baseAddress!
            problem.prepackedWidth = (n + nr - 1) / nr * nr
            run(problem, m: m, n: n, threads: threadCount(m: m, n: n, k: k))
        }
    }
}
