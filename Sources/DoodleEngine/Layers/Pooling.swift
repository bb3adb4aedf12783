/// Max pooling over square windows: input (N, H, W, C) -> output (N, OH, OW, C), OH = (H - size) / stride + 1.
///
/// Like PyTorch's `MaxPool2d` without padding or ceil mode: a trailing odd row or column is dropped.
public final class MaxPool2D: Layer {
    public let size, stride: Int
    public var needsInputGradient = true
    /// Whether the gradient passes only where the output is positive: the backward pass of a ReLU
    /// before this pool that the layer before it applied in training (`Conv2D.reluInTraining`).
    /// Exact, as max and ReLU commute: the winner's ReLU passed its gradient iff the maximum is positive.
    public var gatesReLU = false
    private var output = Tensor(shape: [0], scalars: [])
    private var dInput = Tensor(shape: [0], scalars: [])
    /// For each output element, the flat index within its image of the input that won.
    private var argmax: [Int32] = []
    private var inputShape: [Int] = []

    /// A pooling layer with a `size`×`size` window moving by `stride` (default: `size`).
    public init(size: Int = 2, stride: Int? = nil) {
        (self.size, self.stride) = poolingWindow(size: size, stride: stride)
    }

    public func outputShape(for s: [Int]) -> [Int] {
        pooledShape(s, size: size, stride: stride, layer: "MaxPool2D")
    }

    public func forward(_ input: Tensor, training: Bool) -> Tensor {
        let shape = outputShape(for: input.shape)
        inputShape = input.shape
        output.resize(to: shape)
        let (h, w, c, oh, ow) = (input.shape[1], input.shape[2], input.shape[3], shape[1], shape[2])
        if training && argmax.count != output.count { argmax = [Int32](repeating: 0, count: output.count) }
        let (size, stride) = (self.size, self.stride)
        if !training && size == 2 && stride == 2 {
            // Inference's common case, vectorised: the kernel the fused convolutions pool with.
            input.withUnsafeBufferPointer { xBuffer in
                output.withUnsafeMutableBufferPointer { yBuffer in
                    let (x, y) = (
                        SendablePointer(xBuffer.baseAddress!), SendablePointer(yBuffer.baseAddress!)
                    )
                    let pool = KernelSet.current.maxPool2x2
                    parallelFor(shape[0]) { n in
                        for oy in 0..<oh {
                            pool(
                                UnsafePointer(x.base) + (n * h + 2 * oy) * w * c, w * c, ow, c,
                                y.base + (n * oh + oy) * ow * c)
                        }
                    }
                }
            }
            return output
        }
        input.withUnsafeBufferPointer { xBuffer in
            output.withUnsafeMutableBufferPointer { yBuffer in
                argmax.withUnsafeMutableBufferPointer { argBuffer in
                    let x = SendablePointer(xBuffer.baseAddress!)
                    let y = SendablePointer(yBuffer.baseAddress!)
                    let arg = training ? SendablePointer(argBuffer.baseAddress!) : nil
                    parallelFor(shape[0]) { n in
                        let image = UnsafePointer(x.base) + n * h * w * c
                        for oy in 0..<oh {
                            for ox in 0..<ow {
                                let out = y.base + ((n * oh + oy) * ow + ox) * c
                                let first = ((oy * stride) * w + ox * stride) * c
                                out.update(from: image + first, count: c)
                                let winner = arg.map { $0.base + ((n * oh + oy) * ow + ox) * c }
                                if let winner { for ch in 0..<c { winner[ch] = Int32(first + ch) } }
                                for ky in 0..<size {
                                    for kx in 0..<size where ky > 0 || kx > 0 {
                                        let at = ((oy * stride + ky) * w + ox * stride + kx) * c
                                        let row = image + at
                                        if let winner {
                                            keepLarger(row, at: Int32(at), out, winner, c)
                                        } else {
                                            for ch in 0..<c { out[ch] = max(out[ch], row[ch]) }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return output
    }

    public func backward(_ dOutput: Tensor) -> Tensor {
        precondition(dOutput.count == argmax.count, "MaxPool2D.backward needs a training-mode forward first")
        dInput.resize(to: inputShape)
        let (batch, image) = (inputShape[0], inputShape[1] * inputShape[2] * inputShape[3])
        let perImage = dOutput.count / max(batch, 1)
        let gated = gatesReLU
        dOutput.withUnsafeBufferPointer { dyBuffer in
            output.withUnsafeBufferPointer { yBuffer in
                dInput.withUnsafeMutableBufferPointer { dxBuffer in
                    argmax.withUnsafeBufferPointer { argBuffer in
                        let (dy, y) = (
                            SendablePointer(dyBuffer.baseAddress!), SendablePointer(yBuffer.baseAddress!)
                        )
                        let (dx, arg) = (
                            SendablePointer(dxBuffer.baseAddress!), SendablePointer(argBuffer.baseAddress!)
                        )
                        parallelFor(batch) { n in
                            let to = dx.base + n * image
                            to.update(repeating: 0, count: image)
                            for o in (n * perImage)..<((n + 1) * perImage) where !gated || y.base[o] > 0 {
                                to[Int(arg.base[o])] += dy.base[o]
                            }
                        }
                    }
                }
            }
        }
        return dInput
    }
}

/// out (c) = max(out, row) and winner (c) = `at` + channel where row won, strictly larger (so the
/// first of equal values keeps the gradient, as PyTorch's): selects with no branch, eight lanes at a
/// time, since which of a window's pixels wins is as good as random.
@inline(__always)
private func keepLarger(
    _ row: UnsafePointer<Float>, at: Int32, _ out: UnsafeMutablePointer<Float>,
    _ winner: UnsafeMutablePointer<Int32>, _ c: Int
) {
    let lanes = SIMD8<Int32>(0, 1, 2, 3, 4, 5, 6, 7)
    var ch = 0
    while ch + 8 <= c {
        let v = UnsafeRawPointer(row + ch).loadUnaligned(as: SIMD8<Float>.self)
        var best = UnsafeRawPointer(out + ch).loadUnaligned(as: SIMD8<Float>.self)
        var index = UnsafeRawPointer(winner + ch).loadUnaligned(as: SIMD8<Int32>.self)
        let larger = v .> best
        best.replace(with: v, where: larger)
        index.replace(with: lanes &+ (at &+ Int32(truncatingIfNeeded: ch)), where: larger)
        UnsafeMutableRawPointer(out + ch).storeBytes(of: best, as: SIMD8<Float>.self)
        UnsafeMutableRawPointer(winner + ch).storeBytes(of: index, as: SIMD8<Int32>.self)
        ch += 8
    }
    while ch < c {
        if row[ch] > out[ch] {
            out[ch] = row[ch]
            winner[ch] = at &+ Int32(truncatingIfNeeded: ch)
        }
        ch += 1
    }
}

/// Average pooling over square windows: input (N, H, W, C) -> output (N, OH, OW, C).
public final class AvgPool2D: Layer {
    public let size, stride: Int
    public var needsInputGradient = true
    private var inputShape: [Int] = []

    /// A pooling layer with a `size`×`size` window moving by `stride` (default: `size`).
    public init(size: Int = 2, stride: Int? = nil) {
        (self.size, self.stride) = poolingWindow(size: size, stride: stride)
    }

    public func outputShape(for s: [Int]) -> [Int] {
        pooledShape(s, size: size, stride: stride, layer: "AvgPool2D")
    }

    public func forward(_ input: Tensor, training: Bool) -> Tensor {
        let shape = outputShape(for: input.shape)
        inputShape = input.shape
        let (h, w, c, oh, ow) = (input.shape[1], input.shape[2], input.shape[3], shape[1], shape[2])
        let scale = 1 / Float(size * size)
        return input.withUnsafeBufferPointer { x in
            Tensor(shape: shape) { y in
                y.update(repeating: 0)
                for n in 0..<shape[0] {
                    for oy in 0..<oh {
                        for ox in 0..<ow {
                            let out = ((n * oh + oy) * ow + ox) * c
                            for ky in 0..<size {
                                for kx in 0..<size {
                                    let at = ((n * h + oy * stride + ky) * w + ox * stride + kx) * c
                                    for ch in 0..<c { y[out + ch] += x[at + ch] * scale }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    public func backward(_ dOutput: Tensor) -> Tensor {
        let (h, w, c) = (inputShape[1], inputShape[2], inputShape[3])
        let (oh, ow) = (dOutput.shape[1], dOutput.shape[2])
        let scale = 1 / Float(size * size)
        return dOutput.withUnsafeBufferPointer { dy in
            Tensor(shape: inputShape) { dx in
                dx.update(repeating: 0)
                for n in 0..<inputShape[0] {
                    for oy in 0..<oh {
                        for ox in 0..<ow {
                            let out = ((n * oh + oy) * ow + ox) * c
                            for ky in 0..<size {
                                for kx in 0..<size {
                                    let at = ((n * h + oy * stride + ky) * w + ox * stride + kx) * c
                                    for ch in 0..<c { dx[at + ch] += dy[out + ch] * scale }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// Global average pooling: input (N, H, W, C) -> output (N, C), the mean of each channel.
public final class GlobalAvgPool2D: Layer {
    public var needsInputGradient = true
    private var inputShape: [Int] = []
    private var output = Tensor(shape: [0], scalars: [])

    /// The layer has no settings.
    public init() {}

    public func outputShape(for s: [Int]) -> [Int] {
        precondition(s.count == 4, "GlobalAvgPool2D expects (N, H, W, C), got \(s)")
        return [s[0], s[3]]
    }

    public func forward(_ input: Tensor, training: Bool) -> Tensor {
        inputShape = input.shape
        let (n, pixels, c) = (input.shape[0], input.shape[1] * input.shape[2], input.shape[3])
        let scale = 1 / Float(pixels)
        output.resize(to: [n, c])
        input.withUnsafeBufferPointer { x in
            output.withUnsafeMutableBufferPointer { y in
                y.update(repeating: 0)
                for i in 0..<n {
                    for p in 0..<pixels {
                        let at = (i * pixels + p) * c
                        for ch in 0..<c { y[i * c + ch] += x[at + ch] }
                    }
                    for ch in 0..<c { y[i * c + ch] *= scale }
                }
            }
        }
        return output
    }

    public func backward(_ dOutput: Tensor) -> Tensor {
        let (n, pixels, c) = (inputShape[0], inputShape[1] * inputShape[2], inputShape[3])
        let scale = 1 / Float(pixels)
        return dOutput.withUnsafeBufferPointer { dy in
            Tensor(shape: inputShape) { dx in
                for i in 0..<n {
                    for p in 0..<pixels {
                        for ch in 0..<c { dx[(i * pixels + p) * c + ch] = dy[i * c + ch] * scale }
                    }
                }
            }
        }
    }
}

/// A checked pooling window: `size` and `stride` (default: `size`), both positive.
func poolingWindow(size: Int, stride: Int?) -> (size: Int, stride: Int) {
    precondition(size > 0 && (stride ?? size) > 0, "a pooling window and stride must be positive")
    return (size, stride ?? size)
}

/// (N, H, W, C) -> (N, (H - size) / stride + 1, (W - size) / stride + 1, C), as PyTorch floors it.
func pooledShape(_ s: [Int], size: Int, stride: Int, layer: String) -> [Int] {
    precondition(s.count == 4 && s[1] >= size && s[2] >= size, "\(layer)(\(size)) cannot pool \(s)")
    return [s[0], (s[1] - size) / stride + 1, (s[2] - size) / stride + 1, s[3]]
}
