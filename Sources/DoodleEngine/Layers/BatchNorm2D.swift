/// Batch normalisation over the channels of (N, H, W, C) images, as PyTorch's `BatchNorm2d`.
///
/// Training mode normalises with the batch's statistics (biased variance) and moves the running
/// statistics by `momentum` (unbiased variance); inference mode uses the running statistics. The
/// passes over the activations are the kernel set's (`channelSums`, `batchNormForward`,
/// `batchNormBackward`); `reference` is the plain loop they are tested against.
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
    /// Whether the layer applies the ReLU after it (in training as in inference), so that the network
    /// skips that ReLU: one pass over the activations instead of two, and no ReLU output to keep.
    public var fusedReLU = false

    private var normalized = Tensor(shape: [0], scalars: [])
    private var output = Tensor(shape: [0], scalars: [])
    private var dInput = Tensor(shape: [0], scalars: [])
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
        let (c, rows) = (channels, input.count / channels)
        let kernels = KernelSet.current
        var mean: [Float], variance: [Float]
        if training {
            precondition(rows > 1, "BatchNorm2D needs more than one value per channel in training")
            var sums = [Double](repeating: 0, count: 2 * c)
            input.withUnsafeBufferPointer { x in
                sums.withUnsafeMutableBufferPointer { sums in
                    kernels.channelSums(
                        ChannelSums(rows: rows, channels: c, x: x.baseAddress!, sums: sums.baseAddress!))
                }
            }
            let means = sums[..<c].map { $0 / Double(rows) }
            mean = means.map { Float($0) }
            variance = (0..<c).map { Float(max(sums[c + $0] / Double(rows) - means[$0] * means[$0], 0)) }
            let unbias = Float(rows) / Float(rows - 1)
            for ch in 0..<c {
                runningMean.value[flat: ch] += momentum * (mean[ch] - runningMean.value[flat: ch])
                runningVariance.value[flat: ch] +=
                    momentum * (variance[ch] * unbias - runningVariance.value[flat: ch])
            }
            batchesTracked.value[flat: 0] += 1
            normalized.resize(to: input.shape)
        } else {
            (mean, variance) = (runningMean.value.scalars, runningVariance.value.scalars)
        }
        inverseStd = variance.map { 1 / ($0 + epsilon).squareRoot() }
        output.resize(to: input.shape)
        let parameters = mean + inverseStd + weight.value.scalars + bias.value.scalars
        // Pointers go into the operands only inside their buffers' scopes, never from an array
        // argument, whose pointer lasts only as long as the initialiser's call.
        input.withUnsafeBufferPointer { x in
            output.withUnsafeMutableBufferPointer { y in
                normalized.withUnsafeMutableBufferPointer { saved in
                    parameters.withUnsafeBufferPointer { parameters in
                        kernels.batchNormForward(
                            BatchNormForward(
                                rows: rows, channels: c, input: x.baseAddress!,
                                parameters: parameters.baseAddress!,
                                relu: fusedReLU, normalized: training ? saved.baseAddress! : nil,
                                output: y.baseAddress!))
                    }
                }
            }
        }
        return output
    }

    public func backward(_ dOutput: Tensor) -> Tensor {
        precondition(
            dOutput.shape == normalized.shape, "BatchNorm2D.backward needs a training-mode forward first")
        let (c, rows) = (channels, dOutput.count / channels)
        let kernels = KernelSet.current
        let (gamma, beta) = (weight.value.scalars, bias.value.scalars)
        let gate = gamma + beta
        var sums = [Double](repeating: 0, count: 2 * c)
        dOutput.withUnsafeBufferPointer { dy in
            normalized.withUnsafeBufferPointer { xhat in
                gate.withUnsafeBufferPointer { gate in
                    sums.withUnsafeMutableBufferPointer { sums in
                        kernels.channelSums(
                            ChannelSums(
                                rows: rows, channels: c, x: dy.baseAddress!, y: xhat.baseAddress!,
                                gate: fusedReLU ? gate.baseAddress! : nil, sums: sums.baseAddress!))
                    }
                }
            }
        }
        for ch in 0..<c {
            bias.grad[flat: ch] += Float(sums[ch])
            weight.grad[flat: ch] += Float(sums[c + ch])
        }
        guard needsInputGradient else { return Tensor(shape: [0], scalars: []) }
        // scale, then the means of g and of g·x̂, then γ and β for the ReLU's mask.
        let parameters =
            (0..<c).map { gamma[$0] * inverseStd[$0] } + sums.map { Float($0 / Double(rows)) } + gate
        dInput.resize(to: dOutput.shape)
        dOutput.withUnsafeBufferPointer { dy in
            normalized.withUnsafeBufferPointer { xhat in
                dInput.withUnsafeMutableBufferPointer { dx in
                    parameters.withUnsafeBufferPointer { parameters in
                        kernels.batchNormBackward(
                            BatchNormBackward(
                                rows: rows, channels: c, dOutput: dy.baseAddress!,
                                normalized: xhat.baseAddress!,
                                parameters: parameters.baseAddress!, relu: fusedReLU, dInput: dx.baseAddress!)
                        )
                    }
                }
            }
        }
        return dInput
    }
}
