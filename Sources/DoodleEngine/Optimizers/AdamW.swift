import Foundation

/// Adam with decoupled weight decay, as PyTorch's `AdamW` (and `Adam` when `weightDecay` is 0).
///
/// θ ← θ(1 − lr·λ); m ← β₁m + (1−β₁)g; v ← β₂v + (1−β₂)g²; θ ← θ − lr·m̂ / (√v̂ + ε),
/// with m̂ = m / (1 − β₁ᵗ) and v̂ = v / (1 − β₂ᵗ).
public final class AdamW: Optimizer {
    public var learningRate: Float
    /// β₁; one-cycle schedules move it against the learning rate.
    public var beta1: Float
    public let beta2: Float
    public let epsilon: Float
    public let weightDecay: Float
    private let parameters: [Parameter]
    private var firstMoments: [Tensor]
    private var secondMoments: [Tensor]
    private var steps = 0

    /// An optimizer for `parameters` (their gradients are zeroed after each step).
    public init(
        _ parameters: [Parameter], learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999,
        epsilon: Float = 1e-8, weightDecay: Float = 1e-2
    ) {
        precondition(learningRate >= 0, "learning rate must not be negative")
        self.parameters = parameters
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
        firstMoments = parameters.map { Tensor(repeating: 0, shape: $0.value.shape) }
        secondMoments = firstMoments
    }

    public func step() {
        steps += 1
        let (lr, b1, b2, eps) = (learningRate, beta1, beta2, epsilon)
        let decay = 1 - lr * weightDecay
        let correction1 = 1 - Float(pow(Double(b1), Double(steps)))
        let correction2 = (1 - Float(pow(Double(b2), Double(steps)))).squareRoot()
        let stepSize = lr / correction1
        for (index, p) in parameters.enumerated() {
            p.value.withUnsafeMutableBufferPointer { theta in
                p.grad.withUnsafeMutableBufferPointer { g in
                    firstMoments[index].withUnsafeMutableBufferPointer { m in
                        secondMoments[index].withUnsafeMutableBufferPointer { v in
                            for i in 0..<theta.count {
                                m[i] = b1 * m[i] + (1 - b1) * g[i]
                                v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i]
                                theta[i] =
                                    theta[i] * decay - stepSize * m[i]
                                    / (v[i].squareRoot() / correction2 + eps)
                                g[i] = 0
                            }
                        }
                    }
                }
            }
        }
    }

    public var state: [String: Tensor] {
        var result = ["steps": Tensor(shape: [], scalars: [Float(steps)])]
        for i in parameters.indices {
            result["m.\(i)"] = firstMoments[i]
            result["v.\(i)"] = secondMoments[i]
        }
        return result
    }

    public func load(state: [String: Tensor]) throws {
        guard let s = state["steps"] else {
            throw OptimizerStateError(description: "AdamW state has no step count")
        }
        for i in parameters.indices {
            guard let m = state["m.\(i)"], let v = state["v.\(i)"], m.shape == firstMoments[i].shape,
                v.shape == secondMoments[i].shape
            else {
                throw OptimizerStateError(
                    description: "AdamW state: moments of parameter \(i) missing or misshapen")
            }
            firstMoments[i] = m
            secondMoments[i] = v
        }
        steps = Int(s[flat: 0])
    }
}
