/// Direct convolution for windows of few taps: a first layer on a grey image (3×3×1, 9 taps).
///
/// im2col would copy each pixel of such an image nine times into a matrix of depth 9, and no GEMM
/// runs a product that shallow well: the 6 × 16 micro-kernel stores its tile after nine steps. Here
/// each output pixel sums its taps straight from the image into `SIMD8` accumulators, 32 output
/// channels at a time. The im2col + GEMM path stays the reference the tests compare it with, and is
/// what training uses (its backward pass needs the columns).
enum DirectConv {
    /// The widest window (taps × input channels) the direct kernel takes.
    static let maxColumns = 32

    /// Whether the direct kernel should run `g`: a shallow window, and whole vectors of channels.
    static func suits(_ g: ConvGeometry, outChannels: Int) -> Bool {
        g.colColumns <= maxColumns && outChannels % 8 == 0
    }

    /// input (N, H, W, C), weight (KH, KW, C, K), bias (K) -> output (N, OH, OW, K), then ReLU when
    /// `relu`. K must be a multiple of 8.
    static func forward(
        _ g: ConvGeometry, input: UnsafePointer<Float>, weight: UnsafePointer<Float>,
        bias: UnsafePointer<Float>,
        outChannels k: Int, relu: Bool, output: UnsafeMutablePointer<Float>
    ) {
        precondition(k % 8 == 0, "DirectConv: \(k) output channels is not a multiple of 8")
        let rows = g.batch * g.outHeight
        let work = g.colRows * g.colColumns * k
        // About 20 µs of work per task, as GEMM decides; a first layer at batch 1 runs inline.
        let tasks = work < 1 << 17 ? 1 : min(rows, 4 * doodleThreadCount)
        let (x, w, b, y) = (
            SendablePointer(input), SendablePointer(weight), SendablePointer(bias), SendablePointer(output)
        )
        parallelFor(tasks) { task in
            for row in (rows * task / tasks)..<(rows * (task + 1) / tasks) {
                outputRow(
                    row, g, UnsafePointer(x.base), UnsafePointer(w.base), UnsafePointer(b.base), k, relu,
                    y.base)
            }
        }
    }

    /// One row of output pixels, `row` counting rows over the whole batch. Two neighbours whose
    /// windows lie inside the image across go together: eight accumulators in flight hide the
    /// multiply-add latency that one pixel's four cannot.
    @inline(__always)
    private static func outputRow(
        _ row: Int, _ g: ConvGeometry, _ input: UnsafePointer<Float>, _ weight: UnsafePointer<Float>,
        _ bias: UnsafePointer<Float>, _ k: Int, _ relu: Bool, _ output: UnsafeMutablePointer<Float>
    ) {
        let (n, oy) = row.quotientAndRemainder(dividingBy: g.outHeight)
        let image = input + n * g.height * g.width * g.channels
        let ky = max(0, g.padTop - oy * g.stride)..<min(g.kernelHeight, g.height + g.padTop - oy * g.stride)
        let kx = { (ox: Int) in
            max(0, g.padLeft - ox * g.stride)..<min(g.kernelWidth, g.width + g.padLeft - ox * g.stride)
        }
        var ox = 0
        while ox < g.outWidth {
            let out = output + (row * g.outWidth + ox) * k
            if k % 32 == 0 && ox + 1 < g.outWidth && kx(ox) == 0..<g.kernelWidth
                && kx(ox + 1) == 0..<g.kernelWidth
            {
                for o in stride(from: 0, to: k, by: 32) {
                    pixelPair(g, image, weight, bias, k, relu, oy: oy, ox: ox, ky: ky, o: o, out)
                }
                ox += 2
            } else {
                var o = 0
                while o < k {
                    let vectors = k - o >= 32 ? 4 : 1
                    pixel(
                        g, image, weight, bias, k, relu, oy: oy, ox: ox, ky: ky, kx: kx(ox), o: o, vectors,
                        out)
                    o += 8 * vectors
                }
                ox += 1
            }
        }
    }

    /// Output channels [o, o + 8·vectors) of one pixel (`vectors` is 1 or 4), taps `ky` × `kx`.
    @inline(__always)
    private static func pixel(
        _ g: ConvGeometry, _ image: UnsafePointer<Float>, _ weight: UnsafePointer<Float>,
        _ bias: UnsafePointer<Float>,
        _ k: Int, _ relu: Bool, oy: Int, ox: Int, ky: Range<Int>, kx: Range<Int>, o: Int, _ vectors: Int,
        _ out: UnsafeMutablePointer<Float>
    ) {
        typealias V = SIMD8<Float>
        let c = g.channels
        var a0 = V(), a1 = V(), a2 = V(), a3 = V()
        for y in ky where !kx.isEmpty {
            for x in kx {
                let at =
                    image + ((oy * g.stride + y - g.padTop) * g.width + ox * g.stride + x - g.padLeft) * c
                var tap = UnsafeRawPointer(weight + (y * g.kernelWidth + x) * c * k + o)
                for ch in 0..<c {
                    let v = V(repeating: at[ch])
                    a0.addProduct(v, tap.loadUnaligned(as: V.self))
                    if vectors == 4 {
                        a1.addProduct(v, tap.loadUnaligned(fromByteOffset: 32, as: V.self))
                        a2.addProduct(v, tap.loadUnaligned(fromByteOffset: 64, as: V.self))
                        a3.addProduct(v, tap.loadUnaligned(fromByteOffset: 96, as: V.self))
                    }
                    tap += k * MemoryLayout<Float>.stride
                }
            }
        }
        store(a0, bias + o, relu, out + o)
        if vectors == 4 {
            store(a1, bias + o + 8, relu, out + o + 8)
            store(a2, bias + o + 16, relu, out + o + 16)
            store(a3, bias + o + 24, relu, out + o + 24)
        }
    }

    /// Output channels [o, o + 32) of pixels `ox` and `ox + 1`, whose windows are whole across.
    @inline(__always)
    private static func pixelPair(
        _ g: ConvGeometry, _ image: UnsafePointer<Float>, _ weight: UnsafePointer<Float>,
        _ bias: UnsafePointer<Float>,
        _ k: Int, _ relu: Bool, oy: Int, ox: Int, ky: Range<Int>, o: Int, _ out: UnsafeMutablePointer<Float>
    ) {
        typealias V = SIMD8<Float>
        let c = g.channels
        let next = g.stride * c
        var a0 = V(), a1 = V(), a2 = V(), a3 = V(), b0 = V(), b1 = V(), b2 = V(), b3 = V()
        for y in ky {
            for x in 0..<g.kernelWidth {
                let at =
                    image + ((oy * g.stride + y - g.padTop) * g.width + ox * g.stride + x - g.padLeft) * c
                var tap = UnsafeRawPointer(weight + (y * g.kernelWidth + x) * c * k + o)
                for ch in 0..<c {
                    let u = V(repeating: at[ch]), v = V(repeating: at[ch + next])
                    var w = tap.loadUnaligned(as: V.self)
                    a0.addProduct(u, w)
                    b0.addProduct(v, w)
                    w = tap.loadUnaligned(fromByteOffset: 32, as: V.self)
                    a1.addProduct(u, w)
                    b1.addProduct(v, w)
                    w = tap.loadUnaligned(fromByteOffset: 64, as: V.self)
                    a2.addProduct(u, w)
                    b2.addProduct(v, w)
                    w = tap.loadUnaligned(fromByteOffset: 96, as: V.self)
                    a3.addProduct(u, w)
                    b3.addProduct(v, w)
                    tap += k * MemoryLayout<Float>.stride
                }
            }
        }
        let second = out + k
        store(a0, bias + o, relu, out + o)
        store(a1, bias + o + 8, relu, out + o + 8)
        store(a2, bias + o + 16, relu, out + o + 16)
        store(a3, bias + o + 24, relu, out + o + 24)
        store(b0, bias + o, relu, second + o)
        store(b1, bias + o + 8, relu, second + o + 8)
        store(b2, bias + o + 16, relu, second + o + 16)
        store(b3, bias + o + 24, relu, second + o + 24)
    }

    /// sum + bias, clamped at zero when `relu`, to `out`.
    @inline(__always)
    private static func store(
        _ sum: SIMD8<Float>, _ bias: UnsafePointer<Float>, _ relu: Bool, _ out: UnsafeMutablePointer<Float>
    ) {
        var value = sum + UnsafeRawPointer(bias).loadUnaligned(as: SIMD8<Float>.self)
        if relu { value.replace(with: SIMD8<Float>(), where: value .< SIMD8<Float>()) }
        UnsafeMutableRawPointer(out).storeBytes(of: value, as: SIMD8<Float>.self)
    }
}
