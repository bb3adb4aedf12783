/// Register-block and cache-block sizes for AVX2: a 6 × 16 tile of C is 12 `SIMD8<Float>`
/// accumulators, leaving 4 of the 16 ymm registers for B and the broadcast A element.
extension GEMM {
    /// Rows of C per micro-kernel tile.
    static let mr = 6
    /// Columns of C per micro-kernel tile (two `SIMD8<Float>`).
    static let nr = 16
    /// Depth of a packed block: a 16-column B panel (`kcMax` × 16) plus a 6-row A panel stay in L1.
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
    /// block), rows in 6-row panels (A read in place or packed), columns in 16-wide panels.
    func run(rows: Range<Int>, cols: Range<Int>) {
        let mr = GEMM.mr, nr = GEMM.nr
        // Equal depth blocks of at most kcMax, so k = 288 is one block and 576 two of 288.
        let kBlocks = (k + GEMM.kcMax - 1) / GEMM.kcMax
        let kc = (k + kBlocks - 1) / kBlocks
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
                    packB(into: packedB, depth: pc..<(pc + kcur), cols: jc..<(jc + nc))
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
                                kc: kcur, a: panel, ars: ars, acs: acs, b: packedB + jr * kcur,
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

    /// Packs B (depth, cols) into 16-column panels, each `depth.count` × 16 row-major, zero-padded.
    func packB(into dst: UnsafeMutablePointer<Float>, depth: Range<Int>, cols: Range<Int>) {
        let nr = GEMM.nr
        let kc = depth.count
        var j0 = cols.lowerBound
        var out = dst
        while j0 < cols.upperBound {
            let width = min(nr, cols.upperBound - j0)
            if bColStride == 1 && width == nr {
                var src = b + depth.lowerBound * bRowStride + j0
                for p in 0..<kc {
                    let from = UnsafeRawPointer(src)
                    let to = UnsafeMutableRawPointer(out + p * nr)
                    to.storeBytes(of: from.loadUnaligned(as: SIMD8<Float>.self), as: SIMD8<Float>.self)
                    to.storeBytes(
                        of: from.loadUnaligned(fromByteOffset: 32, as: SIMD8<Float>.self),
                        toByteOffset: 32, as: SIMD8<Float>.self)
                    src += bRowStride
                }
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

    /// Packs A (rows, depth) into one 6-row panel, `depth.count` × 6 column-major, zero-padded.
    func packA(into dst: UnsafeMutablePointer<Float>, rows: Range<Int>, depth: Range<Int>) {
        let mr = GEMM.mr
        let height = rows.count
        if aRowStride == 1 && height == mr {
            // A transposed (dWeight = colᵀ · dOut): each depth step is 6 contiguous floats.
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
