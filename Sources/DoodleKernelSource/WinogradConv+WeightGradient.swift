import DoodleKernels

/// The weight gradient of `WinogradConv.forward` (unpooled), without a column matrix.
///
/// Forward, a tile's output is Y = Aᵀ [U ⊙ V] A with U = G g Gᵀ and V = Bᵀ d B. Its adjoint for the
/// weight is dg = Gᵀ [V ⊙ (A dY Aᵀ)] G, summed over the tiles. The sum over tiles goes inside, as
/// sixteen matrix products: dU[ξ] (C, K) = Σ V[ξ]ᵀ (C, tiles) · (A dY Aᵀ)[ξ] (tiles, K). Each product
/// takes 16 multiply-adds per tile, channel and filter where the column matrix's product takes 36,
/// and no column matrix of N·OH·OW × 9·C is written and read back. Outputs past an odd edge, which
/// `forward` computes and drops, have a zero gradient.
extension WinogradConv {
    /// Tiles a step transforms before its sixteen products: the products' depth.
    static let gradientStepTiles = 64

    static func weightGradient(_ p: ConvolutionGradient) {
        let g = p.geometry
        let (c, k) = (g.channels, p.outChannels)
        precondition(suits(g, outChannels: k), "WinogradConv: \(k) filters for \(g)")
        let (tilesY, tilesX) = ((g.outHeight + 1) / 2, (g.outWidth + 1) / 2)
        let tiles = g.batch * tilesY * tilesX
        let step = gradientStepTiles
        let steps = (tiles + step - 1) / step
        // Each thread sums its own tiles into its own sixteen C × K matrices; they are added at the end.
        let parts = max(1, min(steps, GEMM.threadCount(m: 16 * c, n: k, k: 4 * tiles)))
        let sums = UnsafeMutablePointer<Float>.allocate(capacity: parts * 16 * c * k)
        let buffers = UnsafeMutablePointer<Float>.allocate(capacity: parts * 16 * step * (c + k))
        defer {
            sums.deallocate()
            buffers.deallocate()
        }
        let (x, dy) = (SendablePointer(p.input), SendablePointer(p.dOutput))
        let (shared, scratch) = (SendablePointer(sums), SendablePointer(buffers))
        parallelFor(parts) { part in
            let sum = shared.base + part * 16 * c * k
            sum.initialize(repeating: 0, count: 16 * c * k)
            // V[ξ]: `step` rows of C; (A dY Aᵀ)[ξ]: `step` rows of K.
            let v = scratch.base + part * 16 * step * (c + k)
            let m = v + 16 * step * c
            var start = steps * part / parts * step
            let last = min(tiles, steps * (part + 1) / parts * step)
            while start < last {
                let count = min(step, last - start)
                for row in 0..<count {
                    let t = tile(start + row, tilesY: tilesY, tilesX: tilesX)
                    transformPatch(
                        g, UnsafePointer(x.base), tile: t, into: v + row * c, positionStride: step * c)
                    let pixel = (t.image * g.outHeight + 2 * t.y) * g.outWidth + 2 * t.x
                    transformOutputGradient(
                        UnsafePointer(dy.base) + pixel * k, rows: min(2, g.outHeight - 2 * t.y),
                        cols: min(2, g.outWidth - 2 * t.x),
                        rowStride: g.outWidth * k, channels: k, into: m + row * k, positionStride: step * k)
                }
                for position in 0..<16 {
                    Problem(
                        k: count, a: v + position * step * c, aRowStride: 1, aColStride: c,
                        b: m + position * step * k, bRowStride: k, bColStride: 1, c: sum + position * c * k,
                        ldc: k, accumulate: true, bias: nil, relu: false
                    ).run(rows: 0..<c, cols: 0..<k)
                }
                start += count
            }
        }
        // dg = Gᵀ dU G, G = [1 0 0; ½ ½ ½; ½ −½ ½; 0 0 1]: Gᵀ (u0, u1, u2, u3) = (u0 + (u1 + u2) / 2,
        // (u1 − u2) / 2, (u1 + u2) / 2 + u3), down the columns of dU, then along its rows.
        @inline(__always) func g3(_ u0: Float, _ u1: Float, _ u2: Float, _ u3: Float) -> (Float, Float, Float)
        {
            let half = (u1 + u2) / 2
            return (u0 + half, (u1 - u2) / 2, half + u3)
        }
        withUnsafeTemporaryAllocation(of: Float.self, capacity: 16) { u in
            for index in 0..<(c * k) {
                for position in 0..<16 { u[position] = sums[position * c * k + index] }
                for part in 1..<parts {
                    let from = sums + part * 16 * c * k + index
                    for position in 0..<16 { u[position] += from[position * c * k] }
                }
                let c0 = g3(u[0], u[4], u[8], u[12]), c1 = g3(u[1], u[5], u[9], u[13])
                let c2 = g3(u[2], u[6], u[10], u[14]), c3 = g3(u[3], u[7], u[11], u[15])
                func add(_ ky: Int, _ row: (Float, Float, Float)) {
                    p.dWeight[(ky * 3) * c * k + index] += row.0
                    p.dWeight[(ky * 3 + 1) * c * k + index] += row.1
                    p.dWeight[(ky * 3 + 2) * c * k + index] += row.2
                }
                add(0, g3(c0.0, c1.0, c2.0, c3.0))
                add(1, g3(c0.1, c1.1, c2.1, c3.1))
                add(2, g3(c0.2, c1.2, c2.2, c3.2))
            }
        }
    }

    /// A dY Aᵀ (4×4) for the `rows` × `cols` output gradients at `dy` (the rest of the 2×2 tile zero),
    /// for every filter: position ξ's K values go to `into + ξ · positionStride`. A = [1 0; 1 1; 1 −1;
    /// 0 −1], so a pair (p, q) becomes (p, p + q, p − q, −q).
    @inline(__always)
    static func transformOutputGradient(
        _ dy: UnsafePointer<Float>, rows: Int, cols: Int, rowStride: Int, channels k: Int,
        into m: UnsafeMutablePointer<Float>, positionStride: Int
    ) {
        let right = cols > 1 ? dy + k : nil
        let below = rows > 1 ? dy + rowStride : nil
        let diagonal = rows > 1 && cols > 1 ? dy + rowStride + k : nil
        var ch = 0
        while ch < k {
            let lanes = min(Vector.scalarCount, k - ch)
            let d00 = load(dy, ch, lanes), d01 = load(right, ch, lanes)
            let d10 = load(below, ch, lanes), d11 = load(diagonal, ch, lanes)
            // Along each row of dY, then down each of the four columns that makes.
            let top = (d00, d00 + d01, d00 - d01, -d01)
            let bottom = (d10, d10 + d11, d10 - d11, -d11)
            func column(_ j: Int, _ t: Vector, _ b: Vector) {
                store(t, m + j * positionStride + ch, lanes)
                store(t + b, m + (4 + j) * positionStride + ch, lanes)
                store(t - b, m + (8 + j) * positionStride + ch, lanes)
                store(-b, m + (12 + j) * positionStride + ch, lanes)
            }
            column(0, top.0, bottom.0)
            column(1, top.1, bottom.1)
            column(2, top.2, bottom.2)
            column(3, top.3, bottom.3)
            ch += lanes
        }
    }
}
