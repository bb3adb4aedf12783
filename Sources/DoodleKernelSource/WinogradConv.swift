import DoodleKernels

/// A 3×3, stride-1 convolution by Winograd's minimal filtering F(2×2, 3×3).
///
/// Each 2×2 tile of the output comes from a 4×4 patch of the input d: Y = Aᵀ [(G g Gᵀ) ⊙ (Bᵀ d B)] A.
/// Over C channels and K filters the elementwise product is sixteen matrix products, one per
/// position ξ of the 4×4 transformed patch: M[ξ] (tiles, K) = V[ξ] (tiles, C) · U[ξ] (C, K). They
/// take 16 multiply-adds per tile, channel and filter where the direct convolution takes 36 (9 for
/// each of 4 pixels): 2.25 times fewer, run by the GEMM's micro-kernel. The transforms are additions,
/// vectorised over the channels that NHWC keeps contiguous.
///
/// U = G g Gᵀ is computed once per weight (`transformWeight`), and each of its sixteen C × K
/// matrices packed as `GEMM.pack` packs B. A step transforms twelve tiles' patches into a buffer that
/// stays in cache, runs the sixteen products over it, and transforms their results back, adding the
/// bias, then ReLU, then, when the convolution is pooled, the 2×2 max of the tile: a tile is exactly
/// one window of a 2×2, stride-2 pool. Training runs it unpooled for the output and for the input
/// gradient (a convolution of dOutput with the flipped weight); `weightGradient` is its adjoint.
///
/// The transforms' coefficients are 0, ±1 and ±½, so rounding stays close to the direct
/// convolution's (F(2×2, 3×3) is the best conditioned of Winograd's algorithms).
enum WinogradConv {
    /// Tiles one step transforms and multiplies: two micro-kernel panels.
    static let stepTiles = 2 * GEMM.mr

    /// Whether a C-channel, K-filter 3×3 convolution fits a step's buffers in one scratch buffer, and
    /// has enough channels for the products to outweigh the transforms.
    static func suits(channels c: Int, outChannels k: Int) -> Bool {
        c >= 16 && k >= 16 && 16 * stepTiles * (c + k) <= GEMM.scratchCount
    }

    /// Whether the kernel computes `g`: a 3×3 window with stride 1 over `suits`' channels.
    static func suits(_ g: ConvGeometry, outChannels k: Int) -> Bool {
        g.kernelHeight == 3 && g.kernelWidth == 3 && g.stride == 1
            && suits(channels: g.channels, outChannels: k)
    }

    /// Tiles (2×2 outputs, or pool windows) a convolution of `g` computes.
    static func tiles(_ g: ConvGeometry, pooled: Bool) -> Int {
        pooled
            ? g.batch * (g.outHeight / 2) * (g.outWidth / 2)
            : g.batch * ((g.outHeight + 1) / 2) * ((g.outWidth + 1) / 2)
    }

    /// Below this many tiles the panel kernel is as fast or faster: U is 16/9 the size of the weight
    /// and is read whole for every step, so with few tiles the products wait on memory. Measured with
    /// `doodle bench --profile` on an AVX2 Zen 3: at batch 1, `medium`'s 14×14 layer (49 tiles) ran
    /// 1.3× faster by Winograd, `small`'s (49 tiles) as fast, and both 7×7 layers (9 pooled tiles) as
    /// fast or slower.
    static let minimumTiles = 32

    /// Whether the kernel is the faster one for `g` and K filters, pooled or not.
    static func worthwhile(_ g: ConvGeometry, outChannels k: Int, pooled: Bool) -> Bool {
        suits(g, outChannels: k) && (!pooled || g.outHeight >= 2 && g.outWidth >= 2)
            && tiles(g, pooled: pooled) >= minimumTiles
    }

    /// Floats the transformed weight of a C-channel, K-filter convolution takes: sixteen packed C × K.
    static func weightCount(channels c: Int, outChannels k: Int) -> Int {
        16 * GEMM.packedCount(k: c, n: k)
    }

    /// weight (3, 3, C, K) -> U[ξ] = G g Gᵀ for each position ξ = 4a + b of the 4×4 transformed
    /// window, each C × K matrix packed by `GEMM.pack`, one after another.
    static func transformWeight(
        channels c: Int, outChannels k: Int, _ weight: UnsafePointer<Float>,
        into packed: UnsafeMutablePointer<Float>
    ) {
        // G (4×3) = [1 0 0; ½ ½ ½; ½ −½ ½; 0 0 1], applied to the rows of g, then to their columns; in
        // Double, so that each U is rounded once.
        @inline(__always) func g4(_ a: Double, _ b: Double, _ c: Double) -> (Double, Double, Double, Double) {
            (a, (a + b + c) / 2, (a - b + c) / 2, c)
        }
        let count = GEMM.packedCount(k: c, n: k)
        let matrices = UnsafeMutablePointer<Float>.allocate(capacity: 16 * c * k)
        defer { matrices.deallocate() }
        for index in 0..<(c * k) {
            func tap(_ ky: Int, _ kx: Int) -> Double { Double(weight[(ky * 3 + kx) * c * k + index]) }
            // G applied down each column of the 3×3 window: the rows of G g, then G along each row.
            let c0 = g4(tap(0, 0), tap(1, 0), tap(2, 0))
            let c1 = g4(tap(0, 1), tap(1, 1), tap(2, 1))
            let c2 = g4(tap(0, 2), tap(1, 2), tap(2, 2))
            func store(_ a: Int, _ row: (Double, Double, Double, Double)) {
                matrices[(4 * a) * c * k + index] = Float(row.0)
                matrices[(4 * a + 1) * c * k + index] = Float(row.1)
                matrices[(4 * a + 2) * c * k + index] = Float(row.2)
                matrices[(4 * a + 3) * c * k + index] = Float(row.3)
            }
            store(0, g4(c0.0, c1.0, c2.0))
            store(1, g4(c0.1, c1.1, c2.1))
            store(2, g4(c0.2, c1.2, c2.2))
            store(3, g4(c0.3, c1.3, c2.3))
        }
        for position in 0..<16 {
            GEMM.pack(
                k: c, n: k, b: matrices + position * c * k, bRowStride: k, bColStride: 1,
                into: packed + position * count)
        }
    }

    /// input (N, H, W, C) · the weight `transformWeight` made + bias -> output (N, OH, OW, K), then
    /// ReLU when `relu`, then, when `pooled`, the 2×2 max pool with stride 2, to (N, OH/2, OW/2, K).
    static func forward(_ conv: Convolution) {
        let g = conv.geometry
        let (c, k, pooled) = (g.channels, conv.outChannels, conv.pooled)
        precondition(
            suits(g, outChannels: k) && (!pooled || g.outHeight >= 2 && g.outWidth >= 2),
            "WinogradConv: \(k) filters for \(g)")
        // Pooled, a tile is a pool window and a trailing odd row or column is never computed.
        let (tilesY, tilesX) =
            pooled ? (g.outHeight / 2, g.outWidth / 2) : ((g.outHeight + 1) / 2, (g.outWidth + 1) / 2)
        let tiles = tiles(g, pooled: pooled)
        let groups = (tiles + stepTiles - 1) / stepTiles
        let threads = GEMM.threadCount(m: 4 * tiles, n: k, k: 9 * c)
        // With few steps (a batch of one) the threads share the filters of each step instead: every
        // thread transforms the step's input, and multiplies and stores its own columns.
        let slices = threads > 1 && groups < 2 * threads ? min(threads, (k + GEMM.nr - 1) / GEMM.nr) : 1
        let parts = threads <= 1 ? 1 : max(1, min(groups, 8 * threads / slices))
        let tasks = parts * slices
        let sliceWidth = ((k + slices - 1) / slices + GEMM.nr - 1) / GEMM.nr * GEMM.nr
        let packedCount = GEMM.packedCount(k: c, n: k)
        let (x, w, b) = (
            SendablePointer(conv.input), SendablePointer(conv.weight), SendablePointer(conv.bias)
        )
        let y = SendablePointer(conv.output)
        let relu = conv.relu
        parallelFor(tasks) { task in
            let (part, slice) = task.quotientAndRemainder(dividingBy: slices)
            let columns = min(k, slice * sliceWidth)..<min(k, (slice + 1) * sliceWidth)
            guard !columns.isEmpty else { return }
            let first = groups * part / parts * stepTiles
            let last = min(tiles, groups * (part + 1) / parts * stepTiles)
            GEMM.withScratch { buffer in
                // V[ξ]: stepTiles rows of C; M[ξ]: stepTiles rows of K.
                let transformed = buffer
                let products = buffer + 16 * stepTiles * c
                var start = first
                while start < last {
                    let count = min(stepTiles, last - start)
                    for row in 0..<count {
                        transformPatch(
                            g, UnsafePointer(x.base), tile: tile(start + row, tilesY: tilesY, tilesX: tilesX),
                            into: transformed + row * c, positionStride: stepTiles * c)
                    }
                    // The micro-kernel reads whole six-row panels: zero rows after the last tile.
                    let padded = (count + GEMM.mr - 1) / GEMM.mr * GEMM.mr
                    if padded > count {
                        for position in 0..<16 {
                            (transformed + position * stepTiles * c + count * c).update(
                                repeating: 0, count: (padded - count) * c)
                        }
                    }
                    for position in 0..<16 {
                        GEMM.multiplyPanels(
                            transformed + position * stepTiles * c, rows: count, depth: c, width: k,
                            columns: columns, UnsafePointer(w.base) + position * packedCount, bias: nil,
                            relu: false, into: products + position * stepTiles * k)
                    }
                    for row in 0..<count {
                        let (image, ty, tx) = tile(start + row, tilesY: tilesY, tilesX: tilesX)
                        let out: UnsafeMutablePointer<Float>
                        if pooled {
                            out = y.base + ((image * tilesY + ty) * tilesX + tx) * k
                        } else {
                            out = y.base + ((image * g.outHeight + 2 * ty) * g.outWidth + 2 * tx) * k
                        }
                        transformOutput(
                            products + row * k, positionStride: stepTiles * k, columns: columns,
                            bias: UnsafePointer(b.base), relu: relu, pooled: pooled,
                            rows: min(2, g.outHeight - 2 * ty), cols: min(2, g.outWidth - 2 * tx),
                            pixelStride: k, rowStride: g.outWidth * k, into: out)
                    }
                    start += count
                }
            }
        }
    }

    /// Tile `index` of a batch of `tilesY` × `tilesX` tiles an image: its image, row and column.
    @inline(__always)
    static func tile(_ index: Int, tilesY: Int, tilesX: Int) -> (image: Int, y: Int, x: Int) {
        let (image, tile) = index.quotientAndRemainder(dividingBy: tilesY * tilesX)
        let (y, x) = tile.quotientAndRemainder(dividingBy: tilesX)
        return (image, y, x)
    }

    /// `transformInput` of the 4×4 patch under tile `t` (its 2×2 outputs) of `input` (N, H, W, C).
    @inline(__always)
    static func transformPatch(
        _ g: ConvGeometry, _ input: UnsafePointer<Float>, tile t: (image: Int, y: Int, x: Int),
        into v: UnsafeMutablePointer<Float>, positionStride: Int
    ) {
        transformInput(
            g, input + t.image * g.height * g.width * g.channels, y: 2 * t.y - g.padTop,
            x: 2 * t.x - g.padLeft, into: v, positionStride: positionStride)
    }

    /// V = Bᵀ d B for the 4×4 patch d whose top-left pixel is (y, x) of `image` (H, W, C), pixels
    /// outside it zero, for every channel: position ξ's C values go to `into + ξ · positionStride`.
    /// Bᵀ = [1 0 −1 0; 0 1 1 0; 0 −1 1 0; 0 1 0 −1].
    @inline(__always)
    private static func transformInput(
        _ g: ConvGeometry, _ image: UnsafePointer<Float>, y: Int, x: Int,
        into v: UnsafeMutablePointer<Float>, positionStride: Int
    ) {
        let c = g.channels
        withUnsafeTemporaryAllocation(of: UnsafePointer<Float>?.self, capacity: 16) { pixels in
            for i in 0..<4 {
                for j in 0..<4 {
                    let inside = (0..<g.height).contains(y + i) && (0..<g.width).contains(x + j)
                    pixels[4 * i + j] = inside ? image + ((y + i) * g.width + x + j) * c : nil
                }
            }
            var ch = 0
            while ch < c {
                let lanes = min(Vector.scalarCount, c - ch)
                // Bᵀ applied to column j of the patch: column j of Bᵀ d.
                func column(_ j: Int) -> (Vector, Vector, Vector, Vector) {
                    let d0 = load(pixels[j], ch, lanes), d1 = load(pixels[4 + j], ch, lanes)
                    let d2 = load(pixels[8 + j], ch, lanes), d3 = load(pixels[12 + j], ch, lanes)
                    return (d0 - d2, d1 + d2, d2 - d1, d1 - d3)
                }
                // The same combination along row i of Bᵀ d: row i of V.
                func row(_ i: Int, _ t0: Vector, _ t1: Vector, _ t2: Vector, _ t3: Vector) {
                    store(t0 - t2, v + (4 * i) * positionStride + ch, lanes)
                    store(t1 + t2, v + (4 * i + 1) * positionStride + ch, lanes)
                    store(t2 - t1, v + (4 * i + 2) * positionStride + ch, lanes)
                    store(t1 - t3, v + (4 * i + 3) * positionStride + ch, lanes)
                }
                let c0 = column(0), c1 = column(1), c2 = column(2), c3 = column(3)
                row(0, c0.0, c1.0, c2.0, c3.0)
                row(1, c0.1, c1.1, c2.1, c3.1)
                row(2, c0.2, c1.2, c2.2, c3.2)
                row(3, c0.3, c1.3, c2.3, c3.3)
                ch += lanes
            }
        }
    }

    /// Y = Aᵀ m A (2×2) from position ξ's products at `m + ξ · positionStride`, for `columns`, plus
    /// the bias, then ReLU; stored as `rows` × `cols` pixels of `pixelStride` floats, `rowStride`
    /// apart, or, when `pooled`, as their maximum. Aᵀ = [1 1 1 0; 0 1 −1 −1].
    @inline(__always)
    private static func transformOutput(
        _ m: UnsafePointer<Float>, positionStride: Int, columns: Range<Int>, bias: UnsafePointer<Float>,
        relu: Bool, pooled: Bool, rows: Int, cols: Int, pixelStride: Int, rowStride: Int,
        into out: UnsafeMutablePointer<Float>
    ) {
        var ch = columns.lowerBound
        while ch < columns.upperBound {
            let lanes = min(Vector.scalarCount, columns.upperBound - ch)
            // Aᵀ applied to column j of m: (m0 + m1 + m2, m1 − m2 − m3).
            func column(_ j: Int) -> (Vector, Vector) {
                let m0 = load(m + j * positionStride, ch, lanes),
                    m1 = load(m + (4 + j) * positionStride, ch, lanes)
                let m2 = load(m + (8 + j) * positionStride, ch, lanes)
                let m3 = load(m + (12 + j) * positionStride, ch, lanes)
                return (m0 + m1 + m2, m1 - m2 - m3)
            }
            let (a0, b0) = column(0), (a1, b1) = column(1), (a2, b2) = column(2), (a3, b3) = column(3)
            let bias = load(bias, ch, lanes)
            var y00 = a0 + a1 + a2 + bias, y01 = a1 - a2 - a3 + bias
            var y10 = b0 + b1 + b2 + bias, y11 = b1 - b2 - b3 + bias
            if relu {
                let zero = Vector()
                (y00, y01, y10, y11) = (
                    larger(y00, zero), larger(y01, zero), larger(y10, zero), larger(y11, zero)
                )
            }
            if pooled {
                store(larger(larger(y00, y01), larger(y10, y11)), out + ch, lanes)
            } else {
                store(y00, out + ch, lanes)
                if cols > 1 { store(y01, out + pixelStride + ch, lanes) }
                if rows > 1 {
                    store(y10, out + rowStride + ch, lanes)
                    if cols > 1 { store(y11, out + rowStride + pixelStride + ch, lanes) }
                }
            }
            ch += lanes
        }
    }

    /// `lanes` floats from `p + offset` in a vector, zero after them; zeros for no pixel.
    @inline(__always)
    static func load(_ p: UnsafePointer<Float>?, _ offset: Int, _ lanes: Int) -> Vector {
        guard let p else { return Vector() }
        if lanes == Vector.scalarCount { return UnsafeRawPointer(p + offset).loadUnaligned(as: Vector.self) }
        var v = Vector()
        for lane in 0..<lanes { v[lane] = p[offset + lane] }
        return v
    }

    /// The first `lanes` floats of `v` to `p`.
    @inline(__always)
    static func store(_ v: Vector, _ p: UnsafeMutablePointer<Float>, _ lanes: Int) {
        if lanes == Vector.scalarCount {
            UnsafeMutableRawPointer(p).storeBytes(of: v, as: Vector.self)
        } else {
            for lane in 0..<lanes { p[lane] = v[lane] }
        }
    }

    /// The lanewise maximum, one vmaxps (the standard library's `pointwiseMax` is a generic call).
    @inline(__always)
    private static func larger(_ x: Vector, _ y: Vector) -> Vector {
        var m = x
        m.replace(with: y, where: y .> x)
        return m
    }
}
