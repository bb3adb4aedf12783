import DoodleKernels

extension Problem {
    /// Whether a one-row product has a layout `rowTimesMatrix` handles without packing.
    var vectorFriendly: Bool {
        bColStride == 1 || (bRowStride == 1 && aColStride == 1)
    }

    /// a (1, k) · B (k, cols) -> C (1, cols): batch-1 linear layers, with no packing.
    ///
    /// B row-major streams rows of B into four `Vector`s of accumulators; B transposed (a weight
    /// matrix W (n, k) used as Wᵀ) takes dot products of a with contiguous rows of W, four at a time.
    func rowTimesMatrix(cols: Range<Int>) {
        typealias V = Vector
        let w = V.scalarCount, bytes = MemoryLayout<V>.size
        var j = cols.lowerBound
        if bColStride == 1 {
            while j + 4 * w <= cols.upperBound {
                var s0 = V(), s1 = V(), s2 = V(), s3 = V()
                var row = UnsafeRawPointer(b + j)
                for p in 0..<k {
                    let x = V(repeating: a[p * aColStride])
                    s0 = multiplyAdd(x, row.loadUnaligned(as: V.self), s0)
                    s1 = multiplyAdd(x, row.loadUnaligned(fromByteOffset: bytes, as: V.self), s1)
                    s2 = multiplyAdd(x, row.loadUnaligned(fromByteOffset: 2 * bytes, as: V.self), s2)
                    s3 = multiplyAdd(x, row.loadUnaligned(fromByteOffset: 3 * bytes, as: V.self), s3)
                    row += bRowStride * MemoryLayout<Float>.stride
                }
                store(s0, at: j)
                store(s1, at: j + w)
                store(s2, at: j + 2 * w)
                store(s3, at: j + 3 * w)
                j += 4 * w
            }
            while j + w <= cols.upperBound {
                var s = V()
                for p in 0..<k {
                    let x = V(repeating: a[p * aColStride])
                    s = multiplyAdd(x, UnsafeRawPointer(b + p * bRowStride + j).loadUnaligned(as: V.self), s)
                }
                store(s, at: j)
                j += w
            }
        } else {
            while j + 4 <= cols.upperBound {
                let w = b + j * bColStride
                let (s0, s1, s2, s3) = dot4(w, w + bColStride, w + 2 * bColStride, w + 3 * bColStride)
                finish(s0, at: j)
                finish(s1, at: j + 1)
                finish(s2, at: j + 2)
                finish(s3, at: j + 3)
                j += 4
            }
        }
        while j < cols.upperBound {
            var sum: Float = 0
            for p in 0..<k { sum += a[p * aColStride] * b[p * bRowStride + j * bColStride] }
            finish(sum, at: j)
            j += 1
        }
    }

    /// Dot products of the contiguous a (k) with four contiguous rows of length k.
    @inline(__always)
    private func dot4(
        _ w0: UnsafePointer<Float>, _ w1: UnsafePointer<Float>, _ w2: UnsafePointer<Float>,
        _ w3: UnsafePointer<Float>
    ) -> (Float, Float, Float, Float) {
        typealias V = Vector
        var s0 = V(), s1 = V(), s2 = V(), s3 = V()
        var p = 0
        while p + V.scalarCount <= k {
            let x = UnsafeRawPointer(a + p).loadUnaligned(as: V.self)
            s0 = multiplyAdd(x, UnsafeRawPointer(w0 + p).loadUnaligned(as: V.self), s0)
            s1 = multiplyAdd(x, UnsafeRawPointer(w1 + p).loadUnaligned(as: V.self), s1)
            s2 = multiplyAdd(x, UnsafeRawPointer(w2 + p).loadUnaligned(as: V.self), s2)
            s3 = multiplyAdd(x, UnsafeRawPointer(w3 + p).loadUnaligned(as: V.self), s3)
            p += V.scalarCount
        }
        var t0 = s0.sum(), t1 = s1.sum(), t2 = s2.sum(), t3 = s3.sum()
        while p < k {
            t0 += a[p] * w0[p]
            t1 += a[p] * w1[p]
            t2 += a[p] * w2[p]
            t3 += a[p] * w3[p]
            p += 1
        }
        return (t0, t1, t2, t3)
    }

    /// Stores a vector of finished sums of row 0 through the epilogue.
    @inline(__always)
    private func store(_ sums: Vector, at j: Int) {
        for lane in 0..<Vector.scalarCount { finish(sums[lane], at: j + lane) }
    }

    /// Stores one finished sum of row 0 through the epilogue.
    @inline(__always)
    private func finish(_ sum: Float, at j: Int) {
        var sum = sum
        if accumulate { sum += c[j] }
        if let bias { sum += bias[j] }
        if relu { sum = max(sum, 0) }
        c[j] = sum
    }
}
