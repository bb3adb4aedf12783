import DoodleKernels

/// Direct convolution for windows of few taps: a first layer on a grey image (3×3×1, 9 taps).
///
/// im2col would copy each pixel of such an image nine times into a matrix of depth 9, and no GEMM
/// runs a product that shallow well: the GEMM micro-kernel stores its tile after nine steps. Here
/// each image is first copied into a zero-padded buffer, so that every window is whole, and then
/// four neighbouring pixels × two `Vector`s of output channels sum their taps straight from it: two
/// weight vectors and four broadcasts feed eight multiply-adds. The im2col + GEMM path stays the reference
/// the tests compare it with, and is what training uses (its backward pass needs the columns).
enum DirectConv {
    /// The widest window (taps × input channels) the direct kernel takes.
    static let maxColumns = 32
    /// Neighbouring output pixels computed together.
    static let block = 4

    /// Whether the direct kernel should run `g`: a shallow window, whole vectors of channels, and a
    /// padded image that fits in a scratch buffer beside two output rows (for pooling).
    static func suits(_ g: ConvGeometry, outChannels k: Int) -> Bool {
        g.colColumns <= maxColumns && k % Vector.scalarCount == 0
            && paddedSize(g) + 2 * g.outWidth * k <= GEMM.scratchCount
    }

    /// Whether `forward` can also pool `g`'s output 2×2: at least two rows and columns.
    static func canPool(_ g: ConvGeometry) -> Bool { g.outHeight >= 2 && g.outWidth >= 2 }

    /// The padded image's width: every window of the last block of pixels, which may run past the
    /// last output pixel, lies inside it.
    private static func paddedWidth(_ g: ConvGeometry) -> Int {
        ((g.outWidth + block - 1) / block * block - 1) * g.stride + g.kernelWidth
    }

    private static func paddedHeight(_ g: ConvGeometry) -> Int {
        (g.outHeight - 1) * g.stride + g.kernelHeight
    }

    private static func paddedSize(_ g: ConvGeometry) -> Int {
        paddedHeight(g) * paddedWidth(g) * g.channels
    }

    /// input (N, H, W, C), weight (KH, KW, C, K), bias (K) -> output (N, OH, OW, K), then ReLU when
    /// `relu`. Needs `suits`.
    ///
    /// When `pooled`, the output is max-pooled 2×2 with stride 2 on the way, to (N, OH/2, OW/2, K):
    /// each pair of output rows is computed into the scratch buffer, which stays in cache, and pooled
    /// from there, so the full-size output never goes to memory (25 MB for `small`'s first layer at
    /// batch 256). Needs `canPool` too.
    static func forward(_ conv: Convolution) {
        let (g, k, relu, pooled) = (conv.geometry, conv.outChannels, conv.relu, conv.pooled)
        precondition(suits(g, outChannels: k) && (!pooled || canPool(g)), "DirectConv: cannot run \(g)")
        let rowWidth = g.outWidth * k
        let heightOut = pooled ? g.outHeight / 2 : g.outHeight
        let rows = g.batch * heightOut
        let work = g.colRows * g.colColumns * k
        // About 20 µs of work per task, as GEMM decides; a first layer at batch 1 runs inline.
        let tasks = work < 1 << 17 ? 1 : min(rows, 4 * kernelThreadCount)
        let (x, w, b, y) = (
            SendablePointer(conv.input), SendablePointer(conv.weight), SendablePointer(conv.bias),
            SendablePointer(conv.output)
        )
        parallelFor(tasks) { task in
            let (x, w, b) = (UnsafePointer(x.base), UnsafePointer(w.base), UnsafePointer(b.base))
            withUnsafeTemporaryAllocation(of: Int.self, capacity: maxColumns) { offsets in
                let taps = UnsafePointer(tapOffsets(g, into: offsets.baseAddress!))
                GEMM.withScratch { scratch in
                    let padded = scratch
                    let pair = scratch + paddedSize(g)
                    var image = -1
                    for row in (rows * task / tasks)..<(rows * (task + 1) / tasks) {
                        let (n, r) = row.quotientAndRemainder(dividingBy: heightOut)
                        if n != image {
                            pad(g, x + n * g.height * g.width * g.channels, into: padded)
                            image = n
                        }
                        if pooled {
                            outputRow(2 * r, g, padded, taps, w, b, k, relu, into: pair)
                            outputRow(2 * r + 1, g, padded, taps, w, b, k, relu, into: pair + rowWidth)
                            maxPoolRow2x2(
                                pair, rowStride: rowWidth, width: g.outWidth / 2, channels: k,
                                into: y.base + row * (g.outWidth / 2) * k)
                        } else {
                            outputRow(r, g, padded, taps, w, b, k, relu, into: y.base + row * rowWidth)
                        }
                    }
                }
            }
        }
    }

    /// Where tap t = (ky, kx, c) of a pixel's window lies in the padded image, from the window's
    /// first float, for t in 0..<(KH·KW·C): one flat loop over the taps (nine for 3×3×1), not three
    /// short ones. Returns `offsets`.
    private static func tapOffsets(_ g: ConvGeometry, into offsets: UnsafeMutablePointer<Int>)
        -> UnsafeMutablePointer<Int>
    {
        let span = g.kernelWidth * g.channels
        let rowFloats = paddedWidth(g) * g.channels
        for t in 0..<g.colColumns { offsets[t] = t / span * rowFloats + t % span }
        return offsets
    }

    /// Copies one image into `padded` (paddedHeight × paddedWidth × C) at (padTop, padLeft), zeros
    /// around it; rows and columns no window reaches are left out.
    private static func pad(
        _ g: ConvGeometry, _ image: UnsafePointer<Float>, into padded: UnsafeMutablePointer<Float>
    ) {
        let c = g.channels
        let (height, width) = (paddedHeight(g), paddedWidth(g))
        padded.update(repeating: 0, count: height * width * c)
        let rows = min(g.height, height - g.padTop)
        let columns = min(g.width, width - g.padLeft)
        for y in 0..<rows {
            copyFloats(
                image + y * g.width * c, to: padded + ((y + g.padTop) * width + g.padLeft) * c,
                count: columns * c)
        }
    }

    /// Output row `oy` of the image in `padded`, to `output` (OW × K); `taps` from `tapOffsets`.
    @inline(never)
    private static func outputRow(
        _ oy: Int, _ g: ConvGeometry, _ padded: UnsafePointer<Float>, _ taps: UnsafePointer<Int>,
        _ weight: UnsafePointer<Float>, _ bias: UnsafePointer<Float>, _ k: Int, _ relu: Bool,
        into output: UnsafeMutablePointer<Float>
    ) {
        let window = padded + oy * g.stride * paddedWidth(g) * g.channels
        let w = Vector.scalarCount
        var o = 0
        while o < k {
            if k - o >= 2 * w {
                channelBlock(g, window, taps, weight, bias, k, relu, o: o, wide: true, into: output)
                o += 2 * w
            } else {
                channelBlock(g, window, taps, weight, bias, k, relu, o: o, wide: false, into: output)
                o += w
            }
        }
    }

    /// Output channels [o, o + 2w) (`wide`) or [o, o + w) of every pixel, w floats a `Vector`, of the row whose first
    /// window starts at `window`, four pixels at a time.
    @inline(__always)
    private static func channelBlock(
        _ g: ConvGeometry, _ window: UnsafePointer<Float>, _ taps: UnsafePointer<Int>,
        _ weight: UnsafePointer<Float>, _ bias: UnsafePointer<Float>, _ k: Int, _ relu: Bool, o: Int,
        wide: Bool, into output: UnsafeMutablePointer<Float>
    ) {
        typealias V = Vector
        let (w, bytes) = (V.scalarCount, MemoryLayout<V>.size)
        let step = g.stride * g.channels  // from one pixel's window to the next one's
        let tapStride = k * MemoryLayout<Float>.stride
        var ox = 0
        while ox < g.outWidth {
            var a0 = V(), a1 = V(), a2 = V(), a3 = V(), b0 = V(), b1 = V(), b2 = V(), b3 = V()
            let x = window + ox * step
            var tap = UnsafeRawPointer(weight + o)
            for t in 0..<g.colColumns {
                let at = x + taps[t]
                let w0 = tap.loadUnaligned(as: V.self)
                let x0 = V(repeating: at[0]), x1 = V(repeating: at[step])
                let x2 = V(repeating: at[2 * step]), x3 = V(repeating: at[3 * step])
                a0 = multiplyAdd(x0, w0, a0)
                a1 = multiplyAdd(x1, w0, a1)
                a2 = multiplyAdd(x2, w0, a2)
                a3 = multiplyAdd(x3, w0, a3)
                if wide {
                    let w1 = tap.loadUnaligned(fromByteOffset: bytes, as: V.self)
                    b0 = multiplyAdd(x0, w1, b0)
                    b1 = multiplyAdd(x1, w1, b1)
                    b2 = multiplyAdd(x2, w1, b2)
                    b3 = multiplyAdd(x3, w1, b3)
                }
                tap += tapStride
            }
            let out = output + ox * k + o
            let valid = min(block, g.outWidth - ox)
            store(a0, bias + o, relu, out)
            if valid > 1 { store(a1, bias + o, relu, out + k) }
            if valid > 2 { store(a2, bias + o, relu, out + 2 * k) }
            if valid > 3 { store(a3, bias + o, relu, out + 3 * k) }
            if wide {
                store(b0, bias + o + w, relu, out + w)
                if valid > 1 { store(b1, bias + o + w, relu, out + k + w) }
                if valid > 2 { store(b2, bias + o + w, relu, out + 2 * k + w) }
                if valid > 3 { store(b3, bias + o + w, relu, out + 3 * k + w) }
            }
            ox += block
        }
    }

    /// sum + bias, clamped at zero when `relu`, to `out`.
    @inline(__always)
    private static func store(
        _ sum: Vector, _ bias: UnsafePointer<Float>, _ relu: Bool, _ out: UnsafeMutablePointer<Float>
    ) {
        var value = sum + UnsafeRawPointer(bias).loadUnaligned(as: Vector.self)
        if relu { value.replace(with: Vector(), where: value .< Vector()) }
        UnsafeMutableRawPointer(out).storeBytes(of: value, as: Vector.self)
    }
}
