/// Batch normalisation over the channels of (N, H, W, C) images, as PyTorch's `BatchNorm2d`.
///
/// Training mode normalises with the batch's statistics (biased variance) and moves the running
/// statistics by `momentum` (unbiased variance); inference mode uses the running statistics.
public final class BatchNorm2D: Layer {
    public let channels: Int
    public let epsilon: Float
    public let momentum: Float
    /// The scale γ, one per channel.
    public let weight: Parameter
    /// The shift β, one per channel.
    public let bias: Parameter
    public let runningMean: Parameter
    public let runningVariance: Parameter
    /// How many training batches have updated the running statistics (PyTorch's `num_batches_tracked`).
    public let batchesTracked: Parameter
    public var needsInputGradient = true

    private var normalized = Tensor(shape: [0], scalars: [])
    private var output = Tensor(shape: [0], scalars: [])
    private var inverseStd: [Float] = []

    /// A layer with γ = 1, β = 0, running mean 0 and running variance 1.
    public init(channels: Int, epsilon: Float = 1e-5, momentum: Float = 0.1) {
        precondition(channels > 0)
        self.channels = channels
        self.epsilon = epsilon
        self.momentum = momentum
        weight = Parameter("weight", Tensor(repeating: 1, shape: [channels]))
        bias = Parameter("bias", Tensor(repeating: 0, shape: [channels]))
        runningMean = Parameter("running_mean", Tensor(repeating: 0, shape: [channels]), trainable: false)
        runningVariance = Parameter("running_var", Tensor(repeating: 1, shape: [channels]), trainable: false)
        batchesTracked = Parameter("num_batches_tracked", Tensor(repeating: 0, shape: []), trainable: false)
    }

    public var parameters: [Parameter] { [weight, bias, runningMean, runningVariance, batchesTracked] }

    public func outputShape(for s: [Int]) -> [Int] {
        precondition(s.count == 4 && s[3] == channels, "BatchNorm2D expects (N, H, W, \(channels)), got \(s)")
        return s
    }

    public func forward(_ input: Tensor, training: Bool) -> Tensor {
        _ = outputShape(for: input.shape)
        let c = channels
        let rows = input.count / c
        var mean = [Float](repeating: 0, count: c)
        var variance = [Float](repeating: 0, count: c)
        if training {
            precondition(rows > 1, "BatchNorm2D needs more than one value per channel in training")
            var sum = [Double](repeating: 0, count: c)
            var squares = [Double](repeating: 0, count: c)
            input.withUnsafeBufferPointer { x in
                sum.withUnsafeMutableBufferPointer { sum in
                    squares.withUnsafeMutableBufferPointer { squares in
                        for r in 0..<rows {
                            let row = x.baseAddress! + r * c
                            for ch in 0..<c {
                                let v = Double(row[ch])
                                sum[ch] += v
                                squares[ch] += v * v
                            }
                        }
                    }
                }
            }
            for ch in 0..<c {
                let m = sum[ch] / Double(rows)
                mean[ch] = Float(m)
                variance[ch] = Float(max(squares[ch] / Double(rows) - m * m, 0))
            }
            let unbias = Float(rows) / Float(rows - 1)
            for ch in 0..<c {
                runningMean.value[flat: ch] += momentum * (mean[ch] - runningMean.value[flat: ch])
                runningVariance.value[flat: ch] +=
                    momentum * (variance[ch] * unbias - runningVariance.value[flat: ch])
            }
            batchesTracked.value[flat: 0] += 1
        } else {
            mean = runningMean.value.scalars
            variance = runningVariance.value.scalars
        }
        inverseStd = variance.map { 1 / ($0 + epsilon).squareRoot() }
        let gamma = weight.value.scalars
        let beta = bias.value.scalars
        if training { normalized.resize(to: input.shape) }
        output.resize(to: input.shape)
        // Flat pointers throughout: a Tensor subscript in this loop checked uniqueness per element
        // and made batch norm the slowest layer of a training step.
        let (inverseStd, center) = (self.inverseStd, mean)
        input.withUnsafeBufferPointer { x in
            output.withUnsafeMutableBufferPointer { y in
                normalized.withUnsafeMutableBufferPointer { saved in
                    for r in 0..<rows {
                        let (from, to) = (x.baseAddress! + r * c, y.baseAddress! + r * c)
                        for ch in 0..<c {
                            let xhat = (from[ch] - center[ch]) * inverseStd[ch]
                            to[ch] = gamma[ch] * xhat + beta[ch]
                        }
                        if training {
                            let keep = saved.baseAddress! + r * c
                            for ch in 0..<c { keep[ch] = (from[ch] - center[ch]) * inverseStd[ch] }
                        }
                    }
                }
            }
        }
        return output
    }

    public func backward(_ dOutput: Tensor) -> Tensor {
        precondition(
            dOutput.shape == normalized.shape, "BatchNorm2D.backward needs a training-mode forward first")
        let c = channels
        let rows = dOutput.count / c
        var sumDy = [Float](repeating: 0, count: c)
        var sumDyXhat = [Float](repeating: 0, count: c)
        dOutput.withUnsafeBufferPointer { dy in
            normalized.withUnsafeBufferPointer { xhat in
                sumDy.withUnsafeMutableBufferPointer { sumDy in
                    sumDyXhat.withUnsafeMutableBufferPointer { sumDyXhat in
                        for r in 0..<rows {
                            let (g, h) = (dy.baseAddress! + r * c, xhat.baseAddress! + r * c)
                            for ch in 0..<c {
                                sumDy[ch] += g[ch]
                                sumDyXhat[ch] += g[ch] * h[ch]
                            }
                        }
                    }
                }
            }
        }
        for ch in 0..<c {
            bias.grad[flat: ch] += sumDy[ch]
            weight.grad[flat: ch] += sumDyXhat[ch]
        }
        guard needsInputGradient else { return Tensor(shape: [0], scalars: []) }
        let gamma = weight.value.scalars
        let count = Float(rows)
        return dOutput.withUnsafeBufferPointer { dy in
            normalized.withUnsafeBufferPointer { xhat in
                Tensor(shape: dOutput.shape) { dx in
                    for r in 0..<rows {
                        for ch in 0..<c {
                            let i = r * c + ch
                            dx[i] =
                                gamma[ch] * inverseStd[ch]
                                * (dy[i] - sumDy[ch] / count - xhat[i] * sumDyXhat[ch] / count)
                        }
                    }
                }
            }
        }
    }
}
