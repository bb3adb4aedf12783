import DoodleKernels

/// Register-block and cache-block sizes: an `mr` × `nr` tile of C is 12 `Vector` accumulators (two
/// per row), leaving registers for two of B and the broadcast A element: 16 ymm registers for AVX2,
/// 32 zmm for AVX-512, 16 xmm for SSE2.
extension GEMM {
    /// Rows of C per micro-kernel tile.
    static let mr = 6
    /// Columns of C per micro-kernel tile (two `Vector`s).
    static let nr = 2 * Vector.scalarCount
    /// Depth of a packed block: an A panel (`mr` × `kcMax`, 7.5 KiB) stays in L1 while the block's B
    /// panels stream past it from L2.
    static let kcMax = 320
    /// Width of a packed B block: `kcMax` × `ncMax` floats (320 KiB) stay in L2.
    static let ncMax = 256
}

/// What to do with a finished tile: add the old C, add the bias, clamp at zero.
struct Epilogue {
    var loadC: Bool
    var bias: UnsafePointer<Float>?
    var relu: Bool
}

/// One multiplication's arguments, shared read-only by the threads working on it.
struct Problem {
    let k: Int
    let a: UnsafePointer<Float>, aRowStride: Int, aColStride: Int
    let b: UnsafePointer<Float>, bRowStride: Int, bColStride: Int
    let c: UnsafeMutablePointer<Float>, ldc: Int
    let accumulate: Bool, bias: UnsafePointer<Float>?, relu: Bool
    /// B already packed by `GEMM.PackedB` (then `b` is unused), or nil to pack it block by block.
    var prepackedB: UnsafePointer<Float>? = nil
    /// The prepacked B's width, rounded up to whole `nr`-column panels.
    var prepackedWidth = 0

    /// `C (rows, cols) = (accumulate ? C : 0) + bias`, then ReLU: the whole product when k is 0.
    func epilogueOnly(rows: Range<Int>, cols: Range<Int>) {
        for i in rows {
            for j in cols {
                var sum: Float = accumulate ? c[i * ldc + j] : 0
                if let bias { sum += bias[j] }
                if relu { sum = max(sum, 0) }
                c[i * ldc + j] = sum
            }
        }
    }

    /// Computes the block `C (rows, cols)` on the calling thread.
    ///
    /// Loops, outermost first: columns in `ncMax` blocks, depth in `kc` blocks (B packed once per
    /// block), rows in `mr`-row panels (A read in place or packed), columns in `nr`-wide panels.
    func run(rows: Range<Int>, cols: Range<Int>) {
        let mr = GEMM.mr, nr = GEMM.nr
        let (kc, _) = GEMM.depthBlocks(k)
        let aInPlace = aColStride == 1
        GEMM.withScratch { scratch in
            let packedB = scratch
            let packedA = scratch + GEMM.kcMax * GEMM.ncMax
            var jc = cols.lowerBound
            while jc < cols.upperBound {
                let nc = min(GEMM.ncMax, cols.upperBound - jc)
                var pc = 0
                while pc < k {
                    let kcur = min(kc, k - pc)
                    // A prepacked B holds, per depth block, every `nr`-column panel of the whole width.
                    let blockB: UnsafePointer<Float>
                    if let prepackedB {
                        blockB = prepackedB + pc * prepackedWidth + jc * kcur
                    } else {
                        packB(into: packedB, depth: pc..<(pc + kcur), cols: jc..<(jc + nc))
                        blockB = UnsafePointer(packedB)
                    }
                    let epilogue = Epilogue(
                        loadC: accumulate || pc > 0, bias: pc + kcur == k ? bias : nil,
                        relu: relu && pc + kcur == k)
                    var ir = rows.lowerBound
                    while ir < rows.upperBound {
                        let mcur = min(mr, rows.upperBound - ir)
                        let panel: UnsafePointer<Float>
                        let ars: Int
                        let acs: Int
                        if aInPlace && mcur == mr {
                            panel = a + ir * aRowStride + pc
                            (ars, acs) = (aRowStride, 1)
                        } else {
                            packA(into: packedA, rows: ir..<(ir + mcur), depth: pc..<(pc + kcur))
                            panel = UnsafePointer(packedA)
                            (ars, acs) = (1, mr)
                        }
                        var jr = 0
                        while jr < nc {
                            let ncur = min(nr, nc - jr)
                            var tileEpilogue = epilogue
                            if let bias = epilogue.bias { tileEpilogue.bias = bias + jc + jr }
                            GEMM.microKernel(
                                kc: kcur, a: panel, ars: ars, acs: acs, b: blockB + jr * kcur,
                                c: c + ir * ldc + jc + jr, ldc: ldc, rows: mcur, cols: ncur,
                                epilogue: tileEpilogue)
                            jr += nr
                        }
                        ir += mr
                    }
                    pc += kcur
                }
                jc += nc
            }
        }
    }

    /// Packs B (depth, cols) into `nr`-column panels, each `depth.count` × `nr` row-major, zero-padded.
    func packB(into dst: UnsafeMutablePointer<Float>, depth: Range<Int>, cols: Range<Int>) {
        let nr = GEMM.nr
        let kc = depth.count
        var j0 = cols.lowerBound
        var out = dst
        while j0 < cols.upperBound {
            let width = min(nr, cols.upperBound - j0)
            if bColStride == 1 && width == nr {
                var src = b + depth.lowerBound * bRowStride + j0
                let half = MemoryLayout<Vector>.size
                for p in 0..<kc {
                    let from = UnsafeRawPointer(src)
                    let to = UnsafeMutableRawPointer(out + p * nr)
                    to.storeBytes(of: from.loadUnaligned(as: Vector.self), as: Vector.self)
                    to.storeBytes(
                        of: from.loadUnaligned(fromByteOffset: half, as: Vector.self), toByteOffset: half,
                        as: Vector.self)
                    src += bRowStride
                }
            } else if bRowStride == 1 && width == nr {
                packTransposedPanel(into: out, depth: depth, from: j0)
            } else {
                for j in 0..<nr {
                    if j < width {
                        let src = b + depth.lowerBound * bRowStride + (j0 + j) * bColStride
                        for p in 0..<kc { out[p * nr + j] = src[p * bRowStride] }
                    } else {
                        for p in 0..<kc { out[p * nr + j] = 0 }
                    }
                }
            }
            out += kc * nr
            j0 += nr
        }
    }

    /// Packs `nr` columns of a transposed B (a weight matrix W used as Wᵀ, rows of W contiguous)
    /// by 8 × 8 register transposes, so every store is a full 8-float vector.
    private func packTransposedPanel(into out: UnsafeMutablePointer<Float>, depth: Range<Int>, from j0: Int) {
        typealias V = SIMD8<Float>
        let nr = GEMM.nr
        let kc = depth.count
        var p = 0
        while p + 8 <= kc {
            for half in 0..<(nr / 8) {
                let src = b + (j0 + 8 * half) * bColStride + depth.lowerBound + p
                var r0 = UnsafeRawPointer(src).loadUnaligned(as: V.self)
                var r1 = UnsafeRawPointer(src + bColStride).loadUnaligned(as: V.self)
                var r2 = UnsafeRawPointer(src + 2 * bColStride).loadUnaligned(as: V.self)
                var r3 = UnsafeRawPointer(src + 3 * bColStride).loadUnaligned(as: V.self)
                var r4 = UnsafeRawPointer(src + 4 * bColStride).loadUnaligned(as: V.self)
                var r5 = UnsafeRawPointer(src + 5 * bColStride).loadUnaligned(as: V.self)
                var r6 = UnsafeRawPointer(src + 6 * bColStride).loadUnaligned(as: V.self)
                var r7 = UnsafeRawPointer(src + 7 * bColStride).loadUnaligned(as: V.self)
                // Element (row j, column q) sits at index 8j + q of the 64 values; one round of
                // "evens, then odds" rotates that 6-bit index right by one, so three rounds swap its
                // halves: a transpose.
                for _ in 0..<3 {
                    (r0, r1, r2, r3, r4, r5, r6, r7) = (
                        V(lowHalf: r0.evenHalf, highHalf: r1.evenHalf),
                        V(lowHalf: r2.evenHalf, highHalf: r3.evenHalf),
                        V(lowHalf: r4.evenHalf, highHalf: r5.evenHalf),
                        V(lowHalf: r6.evenHalf, highHalf: r7.evenHalf),
                        V(lowHalf: r0.oddHalf, highHalf: r1.oddHalf),
                        V(lowHalf: r2.oddHalf, highHalf: r3.oddHalf),
                        V(lowHalf: r4.oddHalf, highHalf: r5.oddHalf),
                        V(lowHalf: r6.oddHalf, highHalf: r7.oddHalf)
                    )
                }
                let dst = UnsafeMutableRawPointer(out + p * nr + 8 * half)
                let row = nr * MemoryLayout<Float>.stride
                dst.storeBytes(of: r0, as: V.self)
                dst.storeBytes(of: r1, toByteOffset: row, as: V.self)
                dst.storeBytes(of: r2, toByteOffset: 2 * row, as: V.self)
                dst.storeBytes(of: r3, toByteOffset: 3 * row, as: V.self)
                dst.storeBytes(of: r4, toByteOffset: 4 * row, as: V.self)
                dst.storeBytes(of: r5, toByteOffset: 5 * row, as: V.self)
                dst.storeBytes(of: r6, toByteOffset: 6 * row, as: V.self)
                dst.storeBytes(of: r7, toByteOffset: 7 * row, as: V.self)
            }
            p += 8
        }
        for j in 0..<nr {
            let src = b + (j0 + j) * bColStride + depth.lowerBound
            for q in p..<kc { out[q * nr + j] = src[q] }
        }
    }

    /// Packs A (rows, depth) into one `mr`-row panel, `depth.count` × `mr` column-major, zero-padded.
    func packA(into dst: UnsafeMutablePointer<Float>, rows: Range<Int>, depth: Range<Int>) {
        let mr = GEMM.mr
        let height = rows.count
        if aRowStride == 1 && height == mr {
            // A transposed (dWeight = colᵀ · dOut): each depth step is 6 (`mr`) contiguous floats.
            var src = a + rows.lowerBound + depth.lowerBound * aColStride
            var out = UnsafeMutableRawPointer(dst)
            for _ in 0..<depth.count {
                let from = UnsafeRawPointer(src)
                out.storeBytes(of: from.loadUnaligned(as: SIMD4<Float>.self), as: SIMD4<Float>.self)
                out.storeBytes(
                    of: from.loadUnaligned(fromByteOffset: 16, as: SIMD2<Float>.self), toByteOffset: 16,
                    as: SIMD2<Float>.self)
                src += aColStride
                out += mr * MemoryLayout<Float>.stride
            }
            return
        }
        for p in 0..<depth.count {
            let src = a + rows.lowerBound * aRowStride + (depth.lowerBound + p) * aColStride
            for i in 0..<mr { dst[p * mr + i] = i < height ? src[i * aRowStride] : 0 }
        }
    }
}

/// Hands a `Problem` to the threads of `parallelFor`.
///
/// Safe because each thread writes only its own disjoint block of C, reads A, B and bias, and the
/// caller's pointers stay valid until `parallelFor` returns, after every thread has finished.
struct SendableProblem: @unchecked Sendable {
    let problem: Problem
    init(_ problem: Problem) { self.problem = problem }
}
