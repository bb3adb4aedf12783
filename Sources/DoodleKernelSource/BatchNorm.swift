import DoodleKernels

/// Batch normalisation in training, over activations (rows, C): every row is one pixel of one image,
/// its C channels contiguous, as the engine lays out (N, H, W, C).
///
/// The passes are split into blocks of rows, 64 KB of activations each, spread over the engine's
/// threads. The sums are made in `Float` over at most `runRows` rows, then added up in `Double`,
/// block by block in block order: the result does not depend on the number of threads, and a sum
/// over millions of rows keeps `Double`'s precision.
enum BatchNorm {
    static let runRows = 64

    /// Rows per block for C channels: 64 KB of floats, whole runs, one run at least.
    static func blockRows(_ c: Int) -> Int { max(runRows, 16_384 / max(c, 1) / runRows * runRows) }

    /// x (rows, C) -> per channel Σx, then Σx² (with `y`, Σx·y), into `sums` (2·C, overwritten);
    /// with a `gate` (γ, β), x counts only where γ·y + β > 0.
    ///
    /// For the forward pass x is the input; for the backward pass x is dOutput and y is x̂, and the
    /// gate is the ReLU that the forward pass applied after the normalisation.
    static func sums(_ s: ChannelSums) {
        let (c, total) = (s.channels, s.rows)
        let blockRows = blockRows(c)
        let blocks = (s.rows + blockRows - 1) / blockRows
        let partials = UnsafeMutablePointer<Double>.allocate(capacity: 2 * c * blocks)
        defer { partials.deallocate() }
        let (base, x, y) = (SendablePointer(partials), SendablePointer(s.x), s.y.map { SendablePointer($0) })
        let gateBase = s.gate.map { (SendablePointer($0), SendablePointer($0 + c)) }
        parallelFor(blocks) { block in
            let rows = (block * blockRows)..<min(total, (block + 1) * blockRows)
            let sum = base.base + 2 * c * block, product = sum + c
            sum.update(repeating: 0, count: 2 * c)
            let w = Vector.scalarCount
            var ch = 0
            while ch + w <= c {
                var runStart = rows.lowerBound
                let gamma = gateBase.map { load(UnsafePointer($0.0.base) + ch) } ?? Vector()
                let beta = gateBase.map { load(UnsafePointer($0.1.base) + ch) } ?? Vector()
                while runStart < rows.upperBound {
                    var a = Vector(), b = Vector()
                    for r in runStart..<min(rows.upperBound, runStart + runRows) {
                        var g = load(UnsafePointer(x.base) + r * c + ch)
                        let other = y.map { load(UnsafePointer($0.base) + r * c + ch) } ?? g
                        if gateBase != nil {
                            g.replace(with: 0, where: .!(multiplyAdd(other, gamma, beta) .> 0))
                        }
                        a += g
                        b = multiplyAdd(g, other, b)
                    }
                    for lane in 0..<w {
                        sum[ch + lane] += Double(a[lane])
                        product[ch + lane] += Double(b[lane])
                    }
                    runStart += runRows
                }
                ch += w
            }
            while ch < c {
                var (a, b) = (0.0, 0.0)
                for r in rows {
                    var g = x.base[r * c + ch]
                    let other = y?.base[r * c + ch] ?? g
                    if let (gamma, beta) = gateBase, !(other * gamma.base[ch] + beta.base[ch] > 0) { g = 0 }
                    a += Double(g)
                    b += Double(g) * Double(other)
                }
                (sum[ch], product[ch]) = (a, b)
                ch += 1
            }
        }
        s.sums.update(repeating: 0, count: 2 * c)
        for block in 0..<blocks {
            for i in 0..<(2 * c) { s.sums[i] += partials[2 * c * block + i] }
        }
    }

    /// x (rows, C) -> x̂ = (x − mean)·inverseStd into `normalized` (when given) and y = γ·x̂ + β into
    /// `output`, then max(y, 0) with `relu`.
    static func forward(_ p: BatchNormForward) {
        let c = p.channels
        let (x, xhat, y) = (
            SendablePointer(p.input), p.normalized.map { SendablePointer($0) }, SendablePointer(p.output)
        )
        let (mean, inverseStd) = (SendablePointer(p.parameters), SendablePointer(p.parameters + c))
        let (gamma, beta) = (SendablePointer(p.parameters + 2 * c), SendablePointer(p.parameters + 3 * c))
        let (relu, total, blockRows) = (p.relu, p.rows, blockRows(c))
        parallelFor((total + blockRows - 1) / blockRows) { block in
            let w = Vector.scalarCount
            for r in (block * blockRows)..<min(total, (block + 1) * blockRows) {
                let (from, to) = (UnsafePointer(x.base) + r * c, y.base + r * c)
                var ch = 0
                while ch + w <= c {
                    let h = (load(from + ch) - load(mean.base + ch)) * load(inverseStd.base + ch)
                    if let xhat { store(h, xhat.base + r * c + ch) }
                    var v = multiplyAdd(h, load(gamma.base + ch), load(beta.base + ch))
                    if relu { v.replace(with: 0, where: .!(v .> 0)) }
                    store(v, to + ch)
                    ch += w
                }
                while ch < c {
                    let h = (from[ch] - mean.base[ch]) * inverseStd.base[ch]
                    xhat?.base[r * c + ch] = h
                    let v = h * gamma.base[ch] + beta.base[ch]
                    to[ch] = relu && !(v > 0) ? 0 : v
                    ch += 1
                }
            }
        }
    }

    /// dOutput, x̂ (rows, C) -> dInput = scale·(g − meanG − x̂·meanGXhat) per channel, g being dOutput
    /// gated by the ReLU mask (γ·x̂ + β > 0) when `relu`: batch norm's input gradient from the two
    /// per-channel means of `gradientSums`.
    static func backward(_ p: BatchNormBackward) {
        let c = p.channels
        let (dy, xhat, dx) = (
            SendablePointer(p.dOutput), SendablePointer(p.normalized), SendablePointer(p.dInput)
        )
        let (scale, meanG, meanGX) = (
            SendablePointer(p.parameters), SendablePointer(p.parameters + c),
            SendablePointer(p.parameters + 2 * c)
        )
        let (gamma, beta) = (SendablePointer(p.parameters + 3 * c), SendablePointer(p.parameters + 4 * c))
        let (relu, total, blockRows) = (p.relu, p.rows, blockRows(c))
        parallelFor((total + blockRows - 1) / blockRows) { block in
            let w = Vector.scalarCount
            for r in (block * blockRows)..<min(total, (block + 1) * blockRows) {
                let (g0, h0, out) = (
                    UnsafePointer(dy.base) + r * c, UnsafePointer(xhat.base) + r * c, dx.base + r * c
                )
                var ch = 0
                while ch + w <= c {
                    var g = load(g0 + ch)
                    let h = load(h0 + ch)
                    if relu {
                        g.replace(
                            with: 0,
                            where: .!(multiplyAdd(h, load(gamma.base + ch), load(beta.base + ch)) .> 0))
                    }
                    let centred = g - load(meanG.base + ch) - h * load(meanGX.base + ch)
                    store(load(scale.base + ch) * centred, out + ch)
                    ch += w
                }
                while ch < c {
                    var g = g0[ch]
                    if relu && !(h0[ch] * gamma.base[ch] + beta.base[ch] > 0) { g = 0 }
                    out[ch] = scale.base[ch] * (g - meanG.base[ch] - h0[ch] * meanGX.base[ch])
                    ch += 1
                }
            }
        }
    }

    @inline(__always) private static func load(_ p: UnsafePointer<Float>) -> Vector {
        UnsafeRawPointer(p).loadUnaligned(as: Vector.self)
    }
    @inline(__always) private static func load(_ p: UnsafeMutablePointer<Float>) -> Vector {
        UnsafeRawPointer(p).loadUnaligned(as: Vector.self)
    }
    @inline(__always) private static func store(_ v: Vector, _ p: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: Vector.self)
    }
}
