import DoodleKernels

/// Single-precision matrix multiplication, the engine's hot loop: `MatrixProduct`'s operands.
///
/// BLIS-style: B is packed into `nr`-column panels per (`kc` × `nc`) block, A is read in place when its
/// rows are contiguous (else packed into `mr`-row panels), and an `mr` × `nr` register-blocked
/// micro-kernel applies bias and ReLU as it stores. Threads take disjoint row ranges (tall problems)
/// or column ranges (wide ones); problems too small to pay for a dispatch run on the calling thread.
enum GEMM {
    /// A (m, k) · B (k, n) -> C (m, n), multithreaded over `kernelThreadCount` threads.
    static func multiply(_ p: MatrixProduct) {
        precondition(p.m >= 0 && p.n >= 0 && p.k >= 0, "GEMM: negative size \(p.m)×\(p.n)×\(p.k)")
        precondition(p.m <= 1 || p.ldc >= p.n, "GEMM: ldc \(p.ldc) < n \(p.n)")
        if p.m == 0 || p.n == 0 { return }
        let problem = Problem(
            k: p.k, a: p.a, aRowStride: p.aRowStride, aColStride: p.aColStride,
            b: p.b, bRowStride: p.bRowStride, bColStride: p.bColStride, c: p.c, ldc: p.ldc,
            accumulate: p.accumulate, bias: p.bias, relu: p.relu)
        if p.k == 0 {
            problem.epilogueOnly(rows: 0..<p.m, cols: 0..<p.n)
            return
        }
        let threads = threadCount(m: p.m, n: p.n, k: p.k)
        let shared = SendableProblem(problem)
        if p.m == 1 && problem.vectorFriendly {
            let (n, w) = (p.n, Vector.scalarCount)
            let chunks = threads <= 1 ? 1 : min((n + w - 1) / w, 4 * threads)
            parallelFor(chunks) { t in
                let cols = panelRange(t, of: chunks, count: n, panel: w)
                if !cols.isEmpty { shared.problem.rowTimesMatrix(cols: cols) }
            }
            return
        }
        run(problem, m: p.m, n: p.n, threads: threads)
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
        return min(kernelThreadCount, worthwhile, max((m + mr - 1) / mr, (n + nr - 1) / nr))
    }

    /// Thread `t`'s share of `count` items, split on `panel` boundaries.
    static func panelRange(_ t: Int, of threads: Int, count: Int, panel: Int) -> Range<Int> {
        let panels = (count + panel - 1) / panel
        let start = min(count, panels * t / threads * panel)
        let end = min(count, panels * (t + 1) / threads * panel)
        return start..<end
    }
}

extension GEMM {
    /// The width of a packed B: whole `nr`-column panels.
    static func paddedWidth(_ n: Int) -> Int { (n + nr - 1) / nr * nr }

    /// Floats a packed B (k, n) takes.
    static func packedCount(k: Int, n: Int) -> Int { k * paddedWidth(n) }

    /// Packs B (k, n), element (p, j) at `b[p * bRowStride + j * bColStride]`, into `packed`, for
    /// products that reuse it (an inference network's weights).
    ///
    /// The layout is the one `multiply` packs B into block by block: for each depth block, each
    /// `nr`-column panel, `kc × nr` row-major, zero-padded past `n`. A product with it skips packing.
    static func pack(
        k: Int, n: Int, b: UnsafePointer<Float>, bRowStride: Int, bColStride: Int,
        into packed: UnsafeMutablePointer<Float>
    ) {
        precondition(k > 0 && n > 0, "PackedB: empty \(k)×\(n)")
        // A problem around B alone: packB reads only b and its strides; A and C are never touched.
        let problem = Problem(
            k: k, a: b, aRowStride: 0, aColStride: 0, b: b, bRowStride: bRowStride,
            bColStride: bColStride, c: UnsafeMutablePointer(mutating: b), ldc: n, accumulate: false,
            bias: nil, relu: false)
        let (kc, _) = depthBlocks(k)
        let width = paddedWidth(n)
        var pc = 0
        while pc < k {
            let depth = pc..<min(k, pc + kc)
            problem.packB(into: packed + pc * width, depth: depth, cols: 0..<n)
            pc = depth.upperBound
        }
    }

    /// The depth of each block of a product of depth `k`: equal blocks of at most `kcMax`, so that
    /// k = 288 is one block and 576 two of 288.
    static func depthBlocks(_ k: Int) -> (depth: Int, count: Int) {
        let count = (k + kcMax - 1) / kcMax
        return ((k + count - 1) / count, count)
    }

    /// `multiply` with `p.b` packed beforehand by `pack`: A (m, k) · B (k, n) -> C (m, n), plus bias,
    /// then ReLU.
    static func multiplyPacked(_ p: MatrixProduct) {
        precondition(p.m >= 0 && (p.m <= 1 || p.ldc >= p.n), "GEMM: m \(p.m), ldc \(p.ldc) < n \(p.n)")
        precondition(!p.accumulate, "GEMM: a product with a packed B does not accumulate")
        if p.m == 0 { return }
        var problem = Problem(
            k: p.k, a: p.a, aRowStride: p.aRowStride, aColStride: p.aColStride, b: p.b,
            bRowStride: 0, bColStride: 0, c: p.c, ldc: p.ldc, accumulate: false, bias: p.bias, relu: p.relu)
        problem.prepackedB = p.b
        problem.prepackedWidth = paddedWidth(p.n)
        run(problem, m: p.m, n: p.n, threads: threadCount(m: p.m, n: p.n, k: p.k))
    }
}
