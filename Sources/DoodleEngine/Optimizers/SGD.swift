/// Stochastic gradient descent with momentum, Nesterov momentum and L2 weight decay, as PyTorch's `SGD`.
///
/// With gradient g, weight decay λ and momentum μ: g ← g + λθ; b ← μb + g (b = g on the first step);
/// g ← g + μb (Nesterov) or g ← b; θ ← θ − lr·g.
public final class SGD: Optimizer {
    public var learningRate: Float
    public var momentum: Float
    public let nesterov: Bool
    public let weightDecay: Float
    private let parameters: [Parameter]
    private var buffers: [Tensor]
    private var steps = 0

    /// An optimizer for `parameters` (their gradients are zeroed after each step).
    public init(
        _ parameters: [Parameter], learningRate: Float, momentum: Float = 0, nesterov: Bool = false,
        weightDecay: Float = 0
    ) {
        precondition(learningRate >= 0, "learning rate must not be negative")
        precondition(!nesterov || momentum > 0, "Nesterov momentum needs momentum > 0")
        self.parameters = parameters
        self.learningRate = learningRate
        self.momentum = momentum
        self.nesterov = nesterov
        self.weightDecay = weightDecay
        buffers = parameters.map { Tensor(repeating: 0, shape: $0.value.shape) }
    }

    public func step() {
        let (lr, mu, decay, first) = (learningRate, momentum, weightDecay, steps == 0)
        for (index, p) in parameters.enumerated() {
            p.value.withUnsafeMutableBufferPointer { theta in
                p.grad.withUnsafeMutableBufferPointer { g in
                    buffers[index].withUnsafeMutableBufferPointer { b in
                        for i in 0..<theta.count {
                            var d = g[i] + decay * theta[i]
                            if mu != 0 {
                                b[i] = first ? d : mu * b[i] + d
                                d = nesterov ? d + mu * b[i] : b[i]
                            }
                            theta[i] -= lr * d
                            g[i] = 0
                        }
                    }
                }
            }
        }
        steps += 1
    }

    public var state: [String: Tensor] {
        var result = ["steps": Tensor(shape: [], scalars: [Float(steps)])]
        for (i, b) in buffers.enumerated() { result["momentum.\(i)"] = b }
        return result
    }

    public func load(state: [String: Tensor]) throws {
        guard let s = state["steps"] else {
            throw OptimizerStateError(description: "SGD state has no step count")
        }
        for i in buffers.indices {
            guard let b = state["momentum.\(i)"], b.shape == buffers[i].shape else {
                throw OptimizerStateError(
                    description: "SGD state: momentum.\(i) missing or of the wrong shape")
            }
            buffers[i] = b
        }
        steps = Int(s[flat: 0])
    }
}
