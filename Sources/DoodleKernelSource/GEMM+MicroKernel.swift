extension GEMM {
    /// A (6, kc) · B (kc, nr) -> C (rows ≤ 6, cols ≤ nr), then the epilogue; nr is two `Vector`s.
    ///
    /// Element (i, p) of A is `a[i * ars + p * acs]` (a packed panel or A in place); B is a packed
    /// panel, row p at `b + nr p` (64-byte aligned, so no load splits a cache line). The 12 accumulators live in vector registers (ymm
    /// for AVX2, zmm for AVX-512) and every multiply-add is one `vfmadd231ps` where the set has FMA.
    @inline(__always)
    static func microKernel(
        kc: Int, a: UnsafePointer<Float>, ars: Int, acs: Int, b: UnsafePointer<Float>,
        c: UnsafeMutablePointer<Float>, ldc: Int, rows: Int, cols: Int, epilogue: Epilogue
    ) {
        typealias V = Vector
        let half = MemoryLayout<V>.size
        var c00 = V(), c01 = V(), c10 = V(), c11 = V(), c20 = V(), c21 = V()
        var c30 = V(), c31 = V(), c40 = V(), c41 = V(), c50 = V(), c51 = V()
        let r1 = ars, r2 = 2 * ars, r3 = 3 * ars, r4 = 4 * ars, r5 = 5 * ars
        var pa = a
        var pb = UnsafeRawPointer(b)
        for _ in 0..<kc {
            let b0 = pb.loadUnaligned(as: V.self)
            let b1 = pb.loadUnaligned(fromByteOffset: half, as: V.self)
            var x = V(repeating: pa[0])
            c00 = multiplyAdd(x, b0, c00)
            c01 = multiplyAdd(x, b1, c01)
            x = V(repeating: pa[r1])
            c10 = multiplyAdd(x, b0, c10)
            c11 = multiplyAdd(x, b1, c11)
            x = V(repeating: pa[r2])
            c20 = multiplyAdd(x, b0, c20)
            c21 = multiplyAdd(x, b1, c21)
            x = V(repeating: pa[r3])
            c30 = multiplyAdd(x, b0, c30)
            c31 = multiplyAdd(x, b1, c31)
            x = V(repeating: pa[r4])
            c40 = multiplyAdd(x, b0, c40)
            c41 = multiplyAdd(x, b1, c41)
            x = V(repeating: pa[r5])
            c50 = multiplyAdd(x, b0, c50)
            c51 = multiplyAdd(x, b1, c51)
            pa += acs
            pb += 2 * half
        }
        if rows == mr && cols == nr {
            storeRow(c00, c01, c, epilogue)
            storeRow(c10, c11, c + ldc, epilogue)
            storeRow(c20, c21, c + 2 * ldc, epilogue)
            storeRow(c30, c31, c + 3 * ldc, epilogue)
            storeRow(c40, c41, c + 4 * ldc, epilogue)
            storeRow(c50, c51, c + 5 * ldc, epilogue)
            return
        }
        // An edge tile: spill the accumulators and store only the valid part.
        withUnsafeTemporaryAllocation(of: V.self, capacity: 2 * mr) { tile in
            let t = tile.baseAddress!
            (t[0], t[1], t[2], t[3], t[4], t[5]) = (c00, c01, c10, c11, c20, c21)
            (t[6], t[7], t[8], t[9], t[10], t[11]) = (c30, c31, c40, c41, c50, c51)
            let sums = UnsafeRawPointer(t).assumingMemoryBound(to: Float.self)
            for i in 0..<rows {
                for j in 0..<cols {
                    var sum = sums[i * nr + j]
                    if epilogue.loadC { sum += c[i * ldc + j] }
                    if let bias = epilogue.bias { sum += bias[j] }
                    if epilogue.relu { sum = max(sum, 0) }
                    c[i * ldc + j] = sum
                }
            }
        }
    }

    /// Stores one full `nr`-wide row of a tile through the epilogue.
    @inline(__always)
    static func storeRow(_ v0: Vector, _ v1: Vector, _ c: UnsafeMutablePointer<Float>, _ epilogue: Epilogue) {
        typealias V = Vector
        let half = MemoryLayout<V>.size
        var v0 = v0, v1 = v1
        let out = UnsafeMutableRawPointer(c)
        if epilogue.loadC {
            v0 += out.loadUnaligned(as: V.self)
            v1 += out.loadUnaligned(fromByteOffset: half, as: V.self)
        }
        if let bias = epilogue.bias {
            v0 += UnsafeRawPointer(bias).loadUnaligned(as: V.self)
            v1 += UnsafeRawPointer(bias).loadUnaligned(fromByteOffset: half, as: V.self)
        }
        if epilogue.relu {
            v0.replace(with: 0, where: v0 .< 0)
            v1.replace(with: 0, where: v1 .< 0)
        }
        out.storeBytes(of: v0, as: V.self)
        out.storeBytes(of: v1, toByteOffset: half, as: V.self)
    }
}

extension GEMM {
    /// C (rows ≤ 12, `columns` of width) = A (rows, depth), row-major in `a` in whole six-row panels,
    /// · a B (depth, width) that `pack` packed, plus bias, then ReLU: for each depth block and
    /// `nr`-column panel of the packed layout, every six-row panel of A. C's rows are `width` apart;
    /// `columns` starts on a panel.
    @inline(__always)
    static func multiplyPanels(
        _ a: UnsafePointer<Float>, rows: Int, depth: Int, width: Int, columns: Range<Int>,
        _ packed: UnsafePointer<Float>, bias: UnsafePointer<Float>?, relu: Bool,
        into c: UnsafeMutablePointer<Float>
    ) {
        let paddedWidth = (width + nr - 1) / nr * nr
        let (kc, _) = depthBlocks(depth)
        var pc = 0
        while pc < depth {
            let kcur = min(kc, depth - pc)
            let last = pc + kcur == depth
            var jr = columns.lowerBound
            while jr < columns.upperBound {
                let epilogue = Epilogue(
                    loadC: pc > 0, bias: last ? bias.map { $0 + jr } : nil, relu: relu && last)
                var ir = 0
                while ir < rows {
                    microKernel(
                        kc: kcur, a: a + ir * depth + pc, ars: depth, acs: 1,
                        b: packed + pc * paddedWidth + jr * kcur, c: c + ir * width + jr, ldc: width,
                        rows: min(mr, rows - ir), cols: min(nr, columns.upperBound - jr), epilogue: epilogue)
                    ir += mr
                }
                jr += nr
            }
            pc += kcur
        }
    }
}
