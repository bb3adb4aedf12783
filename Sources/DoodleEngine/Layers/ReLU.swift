/// Rectified linear unit, elementwise: `max(x, 0)`.
public final class ReLU: Layer {
    public var needsInputGradient = true
    private var output = Tensor(shape: [0], scalars: [])
    private var dInput = Tensor(shape: [0], scalars: [])

    /// The layer has no settings.
    public init() {}

    public func outputShape(for inputShape: [Int]) -> [Int] { inputShape }

    public func forward(_ input: Tensor, training: Bool) -> Tensor {
        output.resize(to: input.shape)
        let count = input.count
        input.withUnsafeBufferPointer { x in
            output.withUnsafeMutableBufferPointer { y in
                guard let x = x.baseAddress, let y = y.baseAddress else { return }
                let (xs, ys) = (SendablePointer(x), SendablePointer(y))
                parallelChunks(count) { range in
                    reluForward(
                        UnsafePointer(xs.base) + range.lowerBound, ys.base + range.lowerBound, range.count)
                }
            }
        }
        return output
    }

    public func backward(_ dOutput: Tensor) -> Tensor {
        precondition(
            dOutput.shape == output.shape, "ReLU.backward: gradient shape \(dOutput.shape) != \(output.shape)"
        )
        dInput.resize(to: dOutput.shape)
        let count = dOutput.count
        output.withUnsafeBufferPointer { y in
            dOutput.withUnsafeBufferPointer { dy in
                dInput.withUnsafeMutableBufferPointer { dx in
                    guard let y = y.baseAddress, let dy = dy.baseAddress, let dx = dx.baseAddress else {
                        return
                    }
                    let (ys, dys, dxs) = (SendablePointer(y), SendablePointer(dy), SendablePointer(dx))
                    parallelChunks(count) { range in
                        let start = range.lowerBound
                        reluBackward(
                            UnsafePointer(ys.base) + start, UnsafePointer(dys.base) + start, dxs.base + start,
                            range.count)
                    }
                }
            }
        }
        return dInput
    }
}

/// Runs `body` over `0..<count` in chunks of 16,384 elements (64 KB of floats), spread over the
/// engine's threads: for elementwise loops over activations of several megabytes.
func parallelChunks(_ count: Int, _ body: @Sendable (Range<Int>) -> Void) {
    let chunk = 16_384
    parallelFor((count + chunk - 1) / chunk) { t in
        body((t * chunk)..<min(count, (t + 1) * chunk))
    }
}

/// y (count) = max(x, 0), eight lanes at a time.
@inline(__always)
private func reluForward(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ count: Int) {
    var i = 0
    while i + 8 <= count {
        let v = UnsafeRawPointer(x + i).loadUnaligned(as: SIMD8<Float>.self)
        UnsafeMutableRawPointer(y + i).storeBytes(
            of: v.replacing(with: 0, where: v .< 0), as: SIMD8<Float>.self)
        i += 8
    }
    while i < count {
        y[i] = max(x[i], 0)
        i += 1
    }
}

/// dx (count) = dy where the forward output y is positive, else 0: a select with no branch, since
/// the signs of activations are as good as random and a branch on them mispredicts half the time.
@inline(__always)
private func reluBackward(
    _ y: UnsafePointer<Float>, _ dy: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>, _ count: Int
) {
    var i = 0
    while i + 8 <= count {
        let v = UnsafeRawPointer(y + i).loadUnaligned(as: SIMD8<Float>.self)
        let g = UnsafeRawPointer(dy + i).loadUnaligned(as: SIMD8<Float>.self)
        UnsafeMutableRawPointer(dx + i).storeBytes(
            of: g.replacing(with: 0, where: .!(v .> 0)), as: SIMD8<Float>.self)
        i += 8
    }
    while i < count {
        dx[i] = y[i] > 0 ? dy[i] : 0
        i += 1
    }
}

/// Flattens (N, H, W, C) to (N, C·H·W) in PyTorch's channel-major order, so that the next `Linear`
/// layer's weight means the same as in a PyTorch model of the same architecture.
public final class Flatten: Layer {
    public var needsInputGradient = true
    private var inputShape: [Int] = []
    private var output = Tensor(shape: [0], scalars: [])

    /// The layer has no settings.
    public init() {}

    public func outputShape(for s: [Int]) -> [Int] { [s[0], s.dropFirst().reduce(1, *)] }

    public func forward(_ input: Tensor, training: Bool) -> Tensor {
        inputShape = input.shape
        guard input.shape.count == 4, input.shape[3] > 1 else {
            return input.reshaped(outputShape(for: input.shape))
        }
        let (n, h, w, c) = (input.shape[0], input.shape[1], input.shape[2], input.shape[3])
        output.resize(to: [n, c * h * w])
        input.withUnsafeBufferPointer { x in
            output.withUnsafeMutableBufferPointer { y in
                for i in 0..<n {
                    let image = i * h * w * c
                    for p in 0..<(h * w) {
                        for ch in 0..<c { y[image + ch * h * w + p] = x[image + p * c + ch] }
                    }
                }
            }
        }
        return output
    }

    public func backward(_ dOutput: Tensor) -> Tensor {
        guard inputShape.count == 4, inputShape[3] > 1 else { return dOutput.reshaped(inputShape) }
        let (n, h, w, c) = (inputShape[0], inputShape[1], inputShape[2], inputShape[3])
        return dOutput.withUnsafeBufferPointer { dy in
            Tensor(shape: inputShape) { dx in
                for i in 0..<n {
                    let image = i * h * w * c
                    for p in 0..<(h * w) {
                        for ch in 0..<c { dx[image + p * c + ch] = dy[image + ch * h * w + p] }
                    }
                }
            }
        }
    }
}

/// Inverted dropout: in training, zeroes each element with probability `rate` and scales the rest by
/// `1 / (1 - rate)`; in inference, the identity.
public final class Dropout: Layer {
    public let rate: Float
    public var needsInputGradient = true
    /// The source of the masks; seeded, so a training run repeats exactly.
    public var generator: SeededGenerator
    private var mask: [Float] = []

    /// A dropout layer drawing its masks from `generator`.
    public init(rate: Float, generator: SeededGenerator = SeededGenerator(seed: 0)) {
        precondition(rate >= 0 && rate < 1, "dropout rate must be in [0, 1), got \(rate)")
        self.rate = rate
        self.generator = generator
    }

    public func outputShape(for inputShape: [Int]) -> [Int] { inputShape }

    public func forward(_ input: Tensor, training: Bool) -> Tensor {
        guard training, rate > 0 else { return input }
        let scale = 1 / (1 - rate)
        mask = (0..<input.count).map { _ in generator.nextUnitFloat() < rate ? 0 : scale }
        return input.withUnsafeBufferPointer { x in
            Tensor(shape: input.shape) { y in
                for i in 0..<y.count { y[i] = x[i] * mask[i] }
            }
        }
    }

    public func backward(_ dOutput: Tensor) -> Tensor {
        guard rate > 0 else { return dOutput }
        precondition(mask.count == dOutput.count, "Dropout.backward needs a training-mode forward first")
        return dOutput.withUnsafeBufferPointer { dy in
            Tensor(shape: dOutput.shape) { dx in
                for i in 0..<dx.count { dx[i] = dy[i] * mask[i] }
            }
        }
    }
}
